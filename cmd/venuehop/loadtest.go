package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"venuehop/internal/loadtest"
)

func runLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest", "loadtest --target URL[,URL...] [--attendees 60000] [--per-attendee 15] [--batch 1] [--conns 256] [--ceiling] [--baseline-db URL] [--json] [--admin-email EMAIL --admin-password PASSWORD | --data DIR] [--server-pid PID[,PID...]] [--seed N] [--flood N [--flood-path PATH]]", stderr)
	var opt loadtest.Options
	fs.StringVar(&opt.Target, "target", "", "base URL of a running venuehop serve, e.g. http://127.0.0.1:8080; several nodes on one database comma-separated (connections round robin, attendees prepared through the first)")
	fs.IntVar(&opt.Attendees, "attendees", 60000, "attendees to prepare (in bulk, without password hashing)")
	fs.IntVar(&opt.PerAttendee, "per-attendee", 15, "reservations each attendee tries (Zipf popularity)")
	fs.IntVar(&opt.Batch, "batch", 1, "session ids per request (1 to 10)")
	fs.IntVar(&opt.Conns, "conns", 256, "concurrent connections")
	fs.BoolVar(&opt.Ceiling, "ceiling", false, "also run the same client against a do-nothing handler and print the ratio")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	fs.StringVar(&opt.AdminEmail, "admin-email", os.Getenv("VENUEHOP_ADMIN_EMAIL"), "admin sign-in for the bulk attendees and the occupancy check (env VENUEHOP_ADMIN_EMAIL)")
	fs.StringVar(&opt.AdminPassword, "admin-password", os.Getenv("VENUEHOP_ADMIN_PASSWORD"), "admin password (env VENUEHOP_ADMIN_PASSWORD)")
	dataDir := fs.String("data", os.Getenv("VENUEHOP_DATA"), "read the demo admin's sign-in from DIR/demo-accounts.txt when no credentials are given")
	pids := fs.String("server-pid", "", "the server's process id, to read its peak memory from /proc (same machine); several comma-separated are summed")
	fs.Uint64Var(&opt.Seed, "seed", 1, "seed of the session choice")
	fs.IntVar(&opt.Flood, "flood", 0, "during the rush, also send anonymous GETs of --flood-path over this many connections (scrapers beside the rush)")
	fs.StringVar(&opt.FloodPath, "flood-path", loadtest.DefaultFloodPath, "what the flood asks for")
	fs.StringVar(&opt.BaselineDB, "baseline-db", os.Getenv("VENUEHOP_BASELINE_DB"), "after the rush, run the same requests against a comparison server doing one PostgreSQL transaction with SELECT ... FOR UPDATE per request, on a schema of its own in this database (env VENUEHOP_BASELINE_DB)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	switch {
	case len(loadtest.Targets(opt.Target)) == 0:
		return usageError{"--target is required"}
	case opt.Batch < 1 || opt.Batch > 10:
		return usageError{"--batch must be 1 to 10"}
	case opt.Attendees < 1 || opt.PerAttendee < 1 || opt.Conns < 1:
		return usageError{"--attendees, --per-attendee and --conns must be positive"}
	case opt.Flood < 0 || !strings.HasPrefix(opt.FloodPath, "/"):
		return usageError{"--flood must be 0 or more and --flood-path a path like /ical/conference.ics"}
	}
	for _, p := range strings.Split(*pids, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pid, err := strconv.Atoi(p)
		if err != nil || pid <= 0 {
			return usageError{fmt.Sprintf("--server-pid takes process ids, comma-separated; got %q", *pids)}
		}
		opt.ServerPIDs = append(opt.ServerPIDs, pid)
	}
	opt.AdminToken = os.Getenv("VENUEHOP_ADMIN_TOKEN")
	if opt.AdminToken == "" && opt.AdminEmail == "" && *dataDir != "" {
		opt.AdminEmail, opt.AdminPassword = demoAdmin(filepath.Join(*dataDir, "demo-accounts.txt"))
	}
	if !*asJSON {
		opt.Log = stderr
	}
	rep, err := loadtest.Run(ctx, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(stdout, rep)
	}
	if rep.Overbooked > 0 {
		return fmt.Errorf("%d seats overbooked", rep.Overbooked)
	}
	if rep.ReservedDelta != rep.Confirmed {
		return fmt.Errorf("the server holds %d new reservations but %d were confirmed", rep.ReservedDelta, rep.Confirmed)
	}
	if rep.BaselineOverbooked != nil && *rep.BaselineOverbooked > 0 {
		return fmt.Errorf("the baseline overbooked %d seats", *rep.BaselineOverbooked)
	}
	return nil
}

// demoAdmin reads the admin sign-in that serve wrote for the demo.
func demoAdmin(path string) (email, password string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Split(sc.Text(), "\t"); len(fields) == 3 && fields[2] == "admin" {
			return fields[0], fields[1]
		}
	}
	return "", ""
}

func printReport(w io.Writer, r loadtest.Report) {
	fmt.Fprintf(w, "%d attendees, %d answered requests (batch %d) over %d connections in %.2f s\n", r.Attendees, r.Requests, r.Batch, r.Conns, r.Seconds)
	fmt.Fprintf(w, "answered:   %.0f requests/s\n", r.AnsweredPerSec)
	fmt.Fprintf(w, "confirmed:  %d seats of a supply of %d: %.0f seats/s until the last one, %d in the busiest second\n", r.Confirmed, r.SeatSupply, r.ConfirmedSeatsPerSec, r.PeakConfirmedPerSec)
	fmt.Fprintf(w, "latency:    p50 %.2f ms, p99 %.2f ms\n", r.P50Ms, r.P99Ms)
	fmt.Fprintf(w, "statuses:   %s\n", counts(r.Statuses))
	fmt.Fprintf(w, "errors:     %s\n", counts(r.Errors))
	fmt.Fprintf(w, "overbooked: %d (server reserved +%d)\n", r.Overbooked, r.ReservedDelta)
	fmt.Fprintf(w, "server RSS: %.0f MB\n", r.ServerRssMB)
	if len(r.FloodStatuses) > 0 {
		fmt.Fprintf(w, "flood:      %s\n", counts(r.FloodStatuses))
	}
	if r.CeilingPerSec > 0 {
		fmt.Fprintf(w, "ceiling:    %.0f requests/s against a do-nothing handler; ratio %.2f\n", r.CeilingPerSec, r.Ratio)
	}
	if r.BaselinePerSec > 0 {
		fmt.Fprintf(w, "baseline:   %.0f requests/s (p50 %.2f ms, p99 %.2f ms, %d confirmed, %d overbooked) with a transaction and SELECT ... FOR UPDATE per request; venuehop %.2fx\n",
			r.BaselinePerSec, r.BaselineP50Ms, r.BaselineP99Ms, r.BaselineConfirmed, *r.BaselineOverbooked, r.BaselineRatio)
	}
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
