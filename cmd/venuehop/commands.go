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
	"venuehop/internal/config"
	"venuehop/internal/demo"
	"venuehop/internal/formats"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("serve", "serve [--addr :8080] [--data DIR] [--db URL] [--demo=true] [--now RFC3339] [--reservations-open RFC3339] [--commit group|per-request] [--tiles URL] [--log-level LEVEL] [--metrics-addr ADDR] [--push-contact mailto:ADDRESS] [--max-streams N] [--streams-per-attendee N] [--streams-per-address N] [--anonymous-stream-timeout D] [--anonymous-rate R] [--anonymous-burst N]", stderr)
	cfg.ServeFlags(fs)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if addr := os.Getenv("VENUEHOP_PPROF_ADDR"); addr != "" {
		// Profiling on its own (loopback) listener, never on the public mux.
		go servePprof(addr, stderr)
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
	if u := a.MetricsURL(); u != "" {
		fmt.Fprintf(stdout, "Metrics: %s\n", u)
	}
	printDemoAccounts(stdout, a.DemoAccounts, cfg.DataDir) // user.go
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

// runImport is in import.go.

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("export", "export --format json|csv|frab|c3voc|ical|geojson [-o FILE] [--base-url URL] [--data DIR] [--db URL]", stderr)
	cfg.StoreFlags(fs)
	format := fs.String("format", "", "json, csv, frab, c3voc, ical or geojson (docs/formats.md)")
	out := fs.String("o", "-", "write to FILE (- for standard output)")
	baseURL := fs.String("base-url", "", "public address of the server, for session links in frab, c3voc and ical files")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	switch strings.ToLower(*format) {
	case "json", "csv", "frab", "c3voc", "ical", "geojson":
	case "":
		return usageError{"--format is required (json, csv, frab, c3voc, ical or geojson)"}
	default:
		return usageError{fmt.Sprintf("--format: expected json, csv, frab, c3voc, ical or geojson, got %q", *format)}
	}
	st, err := app.OpenStoreReadOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	c, _, err := st.LoadConference(ctx)
	if err != nil {
		return err
	}
	opt := formats.WriteOptions{BaseURL: *baseURL, Now: time.Now()}
	return writeOutput(*out, stdout, func(w io.Writer) error { return formats.Write(w, c, strings.ToLower(*format), opt) })
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
	st, err := app.OpenStoreReadOnly(ctx, cfg)
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
