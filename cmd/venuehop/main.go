// Command venuehop is the conference companion: server, importer, exporter
// and tools. main only parses arguments and calls into internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // IANA zones even on machines without /usr/share/zoneinfo

	"venuehop/internal/errcode"
)

// usageError marks bad usage (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the web app and API", runServe},
		{"demo", "write the demo conference as native JSON", runDemo},
		{"import", "check and load a conference file into the store", runImport},
		{"export", "write the stored conference in a format", runExport},
		{"check", "verify every store invariant; exit 1 naming a violation", runCheck},
		{"migrate", "copy the embedded store into an empty PostgreSQL database", runMigrate},
		{"loadtest", "the reservation rush against a running server", runLoadtest},
		{"travel", "door-to-door minutes between venues, or one trip's steps; travel correct FROM TO MINUTES", runTravel},
		{"pack", "venue packs: list, show, check, apply one to the stored conference", runPack},
		{"timetable", "set the shuttle and monorail hours from an agenda or timetable CSV", runTimetable},
		{"plan", "plan the best walkable week, offline from files or for an attendee", runPlan},
		{"user", "add an account: user add EMAIL --role attendee|organizer|admin", runUser},
		{"attendees", "who may sign up: the attendee list and its codes, the sign-up mode", runAttendees},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "venuehop %s: %s\nRun 'venuehop %s --help' for usage.\n", c.name, ue.msg, c.name)
			return 2
		default:
			fmt.Fprintf(stderr, "venuehop %s: %s\n", c.name, errorText(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "venuehop: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

// errorText is err as one message, its cause said once: a coded error
// whose message already quotes its cause (errcode.Wrap with %v) is not
// followed by the cause again.
func errorText(err error) string {
	text := err.Error()
	var ce *errcode.Error
	if errors.As(err, &ce) && ce.Err != nil {
		if cause := ce.Err.Error(); strings.Contains(ce.Message, cause) {
			text = strings.Replace(text, ce.Message+": "+cause, ce.Message, 1)
		}
	}
	return text
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "venuehop: the conference companion.\n\nUsage: venuehop COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'venuehop COMMAND --help' for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Usage writes to the flag set's output, which parse silences while
	// the flag package parses (it calls Usage itself on -h): the usage is
	// printed once, by parse.
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: venuehop %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, allowing positional arguments before and between
// flags (venuehop import FILE --dry-run), and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	out := fs.Output()
	for {
		// Parse quietly: errors are reported once, by run, as one sentence.
		fs.SetOutput(io.Discard)
		err := fs.Parse(args)
		fs.SetOutput(out)
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
