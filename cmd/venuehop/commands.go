package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"venuehop/internal/app"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("serve", "serve [--addr :8080] [--data DIR] [--db URL] [--demo=true] [--now RFC3339] [--reservations-open RFC3339] [--commit group|per-request]", stderr)
	cfg.ServeFlags(fs)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	started := time.Now()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Listen(); err != nil {
		return err
	}
	snap := a.Snapshot()
	fmt.Fprintf(stdout, "venuehop is serving %q (%d sessions, %d venues) — open %s\n",
		snap.Conf.Name, len(snap.Conf.Sessions), len(snap.Conf.Venues), a.URL())
	if a.DemoLoaded {
		fmt.Fprintf(stdout, "The demo conference was loaded into %s.\n", cfg.DataDir)
	}
	log.Info("ready", "url", a.URL(), "startup", time.Since(started).Round(time.Millisecond))
	return a.Serve(ctx)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [-o FILE] [--seed N] [--start YYYY-MM-DD]", stderr)
	out := fs.String("o", "-", "write to FILE (- for standard output)")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same conference")
	start := fs.String("start", "", "first day (a Monday), YYYY-MM-DD; default: the Monday after today")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	opt := demo.Options{Seed: *seed, Now: time.Now()}
	if *start != "" {
		d, err := time.Parse(time.DateOnly, *start)
		if err != nil {
			return usageError{fmt.Sprintf("--start: expected a date YYYY-MM-DD, got %q", *start)}
		}
		if d.Weekday() != time.Monday {
			return usageError{fmt.Sprintf("--start: %s is a %s; the demo starts on a Monday", *start, d.Weekday())}
		}
		opt.Start = d
	}
	c, err := demo.Generate(opt)
	if err != nil {
		return err
	}
	return writeOutput(*out, stdout, func(w io.Writer) error { return formats.WriteNative(w, c) })
}

// writeOutput writes through a temporary file renamed into place, so that a
// failed export never leaves a half-written file.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" || path == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".venuehop-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("import", "import FILE [--format auto|json] [--timezone ZONE] [--data DIR] [--db URL] [--dry-run]", stderr)
	cfg.StoreFlags(fs)
	format := fs.String("format", "auto", "auto or json (csv, frab and c3voc are coming)")
	tz := fs.String("timezone", "", "IANA time zone for a file that names none")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would change, store nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"expected exactly one FILE to import"}
	}
	if *tz != "" {
		if _, err := time.LoadLocation(*tz); err != nil {
			return usageError{fmt.Sprintf("--timezone: %q is not an IANA time zone (e.g. America/Los_Angeles)", *tz)}
		}
	}
	path := pos[0]
	switch strings.ToLower(*format) {
	case "auto", "json":
	case "csv", "frab", "c3voc":
		return fmt.Errorf("the %s format is not supported yet; use native JSON (docs/conference.schema.json)", *format)
	default:
		return usageError{fmt.Sprintf("--format: expected auto, json, csv, frab or c3voc, got %q", *format)}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	c, warnings, err := formats.ReadNative(f, path)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}

	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	old, rev, err := st.LoadConference(ctx)
	if err != nil && !errcode.Is(err, errcode.NotFound) {
		return err
	}
	added, changed, removed := diffSessions(old, c)
	verb := "imported"
	if *dryRun {
		verb = "would import"
	} else if _, err := st.SaveConference(ctx, c, rev); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s: %d sessions (%d added, %d changed, %d removed), %d venues, %d rooms\n",
		verb, path, len(c.Sessions), added, changed, removed, len(c.Venues), len(c.Rooms))
	return nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// diffSessions counts sessions added, changed and removed by id.
func diffSessions(old, new *conference.Conference) (added, changed, removed int) {
	prev := map[string]*conference.Session{}
	if old != nil {
		for i := range old.Sessions {
			prev[old.Sessions[i].ID] = &old.Sessions[i]
		}
	}
	seen := map[string]bool{}
	for i := range new.Sessions {
		s := &new.Sessions[i]
		seen[s.ID] = true
		p, ok := prev[s.ID]
		switch {
		case !ok:
			added++
		case !sameSession(p, s):
			changed++
		}
	}
	for id := range prev {
		if !seen[id] {
			removed++
		}
	}
	return
}

func sameSession(a, b *conference.Session) bool {
	return a.Title == b.Title && a.RoomID == b.RoomID && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.Type == b.Type && a.Level == b.Level && a.Abstract == b.Abstract && a.Cancelled == b.Cancelled &&
		a.Reservable == b.Reservable && a.Recorded == b.Recorded
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("export", "export --format json [-o FILE] [--data DIR] [--db URL]", stderr)
	cfg.StoreFlags(fs)
	format := fs.String("format", "", "json (csv, frab, c3voc, ical and geojson are coming)")
	out := fs.String("o", "-", "write to FILE (- for standard output)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	switch strings.ToLower(*format) {
	case "json":
	case "csv", "frab", "c3voc", "ical", "geojson":
		return fmt.Errorf("the %s format is not supported yet; use --format json", *format)
	case "":
		return usageError{"--format is required (json)"}
	default:
		return usageError{fmt.Sprintf("--format: expected json, csv, frab, c3voc, ical or geojson, got %q", *format)}
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	c, _, err := st.LoadConference(ctx)
	if err != nil {
		return err
	}
	return writeOutput(*out, stdout, func(w io.Writer) error { return formats.WriteNative(w, c) })
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("check", "check [--data DIR] [--db URL]", stderr)
	cfg.StoreFlags(fs)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	problems, err := st.Check(ctx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "violation:", p)
		}
		return fmt.Errorf("%d invariant violation(s), first: %s", len(problems), problems[0])
	}
	fmt.Fprintln(stdout, "ok: every invariant holds")
	return nil
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version", stderr)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(stdout, "venuehop %s (%s)\n", v, strings.TrimPrefix(goVersion(), "go"))
	return nil
}

func goVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return "unknown"
}
