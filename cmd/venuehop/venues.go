package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"venuehop/internal/config"
	"venuehop/internal/formats"
	"venuehop/internal/importer"
	"venuehop/internal/venuepack"
)

// loadVenues reads what --venues names: a venue map or a venue pack file
// (told apart by the pack's "format"), or the id of a shipped pack.
func loadVenues(arg string) (*formats.VenueMap, *venuepack.Pack, error) {
	data, err := os.ReadFile(arg)
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(arg, `/\.`) {
		p, gerr := venuepack.Get(arg)
		if gerr != nil {
			return nil, nil, fmt.Errorf("--venues %s: no such file, and %w", arg, gerr)
		}
		return nil, p, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the venue file %s: %w", arg, unwrapPathError(err))
	}
	if venuepack.IsPack(data) {
		p, err := venuepack.Read(strings.NewReader(string(data)), arg)
		return nil, p, err
	}
	m, err := formats.ReadVenueMap(strings.NewReader(string(data)))
	return m, nil, err
}

// loadTimetable reads a --timetable file.
func loadTimetable(path string) (*venuepack.Timetable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the timetable %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	return venuepack.ReadTimetable(f, path)
}

// printTravelSummary writes what a pack and a timetable did in an import,
// or the pack proposed.
func printTravelSummary(w io.Writer, file string, ts importer.TravelSummary, dryRun bool) {
	if p := ts.Pack; p != nil {
		fmt.Fprintf(w, "venue pack %s: %d of the file's venues, %d rooms, %d walks, %d shuttle and %d monorail lines\n",
			p.ID, len(p.Matched), p.Rooms, p.Walks, p.Shuttles, p.Monorail)
	}
	if pr := ts.ProposedPack; pr != nil {
		fmt.Fprintf(w, "proposed venue pack: %s (%s) knows %d of %d venues (%s)\n", pr.ID, pr.Name,
			len(pr.Venues), len(pr.Venues)+len(pr.Unknown), strings.Join(pr.Venues, ", "))
		if dryRun {
			fmt.Fprintf(w, "  to import with it: venuehop import %s --venues %s\n", file, pr.ID)
		} else {
			fmt.Fprintf(w, "  to apply it now: venuehop pack apply %s --dry-run, then without --dry-run\n", pr.ID)
		}
	}
	if tt := ts.Timetable; tt != nil {
		fmt.Fprintf(w, "timetable: hours of %d lines set", len(tt.Lines))
		if len(tt.Created) > 0 {
			fmt.Fprintf(w, ", %d new (%s)", len(tt.Created), strings.Join(tt.Created, ", "))
		}
		fmt.Fprintln(w)
	}
	if ts.WalkCorrectionsKept > 0 {
		fmt.Fprintf(w, "walk corrections kept: %d\n", ts.WalkCorrectionsKept)
	}
}

// packSynopsis is a pack subcommand's usage line (pack alone for "" or
// an unknown one).
func packSynopsis(sub string) string {
	switch sub {
	case "list":
		return "pack list"
	case "show":
		return "pack show ID [-o FILE]"
	case "check":
		return "pack check FILE"
	case "apply":
		return "pack apply PACK [--dry-run] [--data DIR] [--db URL]"
	}
	return "pack list | pack show ID | pack check FILE | pack apply PACK   (each: pack SUBCOMMAND --help)"
}

// runPack lists, shows, checks and applies venue packs.
func runPack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	cfg := config.Defaults()
	fs := newFlags("pack", packSynopsis(sub), stderr)
	out := "-"
	dryRun := false
	switch sub {
	case "show":
		fs.StringVar(&out, "o", "-", "write to FILE (- for standard output)")
	case "apply":
		cfg.StoreFlags(fs)
		fs.BoolVar(&dryRun, "dry-run", false, "show what would change, store nothing")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	want := map[string]int{"list": 0, "show": 1, "check": 1, "apply": 1}
	n, ok := want[sub]
	switch {
	case sub == "":
		return usageError{"expected a subcommand: list, show, check or apply"}
	case !ok:
		return usageError{fmt.Sprintf("unknown subcommand %q: expected list, show, check or apply", sub)}
	case len(pos) != n:
		return usageError{fmt.Sprintf("pack %s takes %d argument(s), got %d", sub, n, len(pos))}
	}
	switch sub {
	case "list":
		packs, err := venuepack.Shipped()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tVENUES")
		for _, p := range packs {
			var ids []string
			for _, v := range p.Venues {
				ids = append(ids, v.ID)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, p.Name, strings.Join(ids, ", "))
		}
		return tw.Flush()
	case "show":
		raw, err := venuepack.Raw(pos[0])
		if err != nil {
			return err
		}
		return writeOutput(out, stdout, func(w io.Writer) error { _, err := w.Write(raw); return err })
	case "check":
		_, p, err := loadVenues(pos[0])
		if err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("%s is a venue map, not a venue pack (a pack names \"format\": %q)", pos[0], venuepack.Format)
		}
		fmt.Fprintf(stdout, "ok: venue pack %s (%s): %d venues, %d walks, %d shuttle and %d monorail lines\n",
			p.ID, p.Name, len(p.Venues), len(p.Walks), len(p.Shuttles), len(p.Monorail))
		return nil
	}
	_, p, err := loadVenues(pos[0])
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("%s is a venue map: give it to venuehop import --venues; pack apply takes a venue pack", pos[0])
	}
	return withImporter(ctx, cfg, dryRun, stderr, func(im *importer.Importer) error {
		rep, err := im.ApplyPack(ctx, p, dryRun, 0)
		if err != nil {
			return err
		}
		ps := rep.Pack
		fmt.Fprintf(stdout, "venue pack %s: %d venues matched, %d rooms, %d walks, %d shuttle and %d monorail lines, %d walk corrections kept\n",
			ps.ID, len(ps.Matched), ps.Rooms, ps.Walks, ps.Shuttles, ps.Monorail, ps.Corrections)
		printTravelReport(stdout, rep)
		return nil
	})
}

// withImporter opens the store and its importer for a change: as the
// store's one writer, or read-only for a dry run (openImporter).
func withImporter(ctx context.Context, cfg config.Config, dryRun bool, stderr io.Writer, do func(*importer.Importer) error) error {
	im, closeImporter, err := openImporter(ctx, cfg, dryRun, stderr)
	if err != nil {
		return err
	}
	defer closeImporter()
	return do(im)
}

// printTravelReport writes the warnings and the door-to-door changes of a
// travel change, and whether it was stored.
func printTravelReport(w io.Writer, rep *importer.TravelReport) {
	for _, warn := range rep.Warnings {
		fmt.Fprintln(w, "  note:", warn)
	}
	if len(rep.Pairs) > 0 {
		fmt.Fprintf(w, "door to door at %s:\n", rep.SampleAt.Format("Mon 2 Jan 15:04 MST"))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, p := range rep.Pairs {
			fmt.Fprintf(tw, "  %s – %s\t%s\t→ %s\n", p.From, p.To, tripText(p.Before), tripText(p.After))
		}
		tw.Flush()
	} else {
		fmt.Fprintln(w, "no door-to-door time changes at", rep.SampleAt.Format("Mon 2 Jan 15:04 MST"))
	}
	switch {
	case rep.Applied:
		fmt.Fprintf(w, "stored as revision %d\n", rep.Rev)
	case rep.DryRun:
		fmt.Fprintln(w, "dry run: nothing was changed")
	}
}

func tripText(t importer.TripTime) string {
	s := fmt.Sprintf("%d min %s", t.Minutes, t.Mode)
	if t.Estimate {
		s += " (estimate)"
	}
	return s
}

const timetableSynopsis = "timetable FILE [--dry-run] [--data DIR] [--db URL]"

// runTimetable sets the stored conference's shuttle and monorail hours from
// an agenda or plain timetable CSV.
func runTimetable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("timetable", timetableSynopsis, stderr)
	cfg.StoreFlags(fs)
	dryRun := fs.Bool("dry-run", false, "show what would change, store nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"expected exactly one timetable FILE (CSV: the agenda's, or line,stops,days,from,to,headway)"}
	}
	tt, err := loadTimetable(pos[0])
	if err != nil {
		return err
	}
	return withImporter(ctx, cfg, *dryRun, stderr, func(im *importer.Importer) error {
		rep, err := im.ApplyTimetable(ctx, tt, *dryRun, 0)
		if err != nil {
			return err
		}
		printLineHours(stdout, rep.Timetable)
		printTravelReport(stdout, rep)
		return nil
	})
}

func printLineHours(w io.Writer, res *venuepack.TimetableResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range res.Lines {
		var hours []string
		for _, h := range l.Service {
			hours = append(hours, fmt.Sprintf("%s %s–%s", h.Day, h.Start, h.End))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.ID, l.Mode, strings.Join(hours, ", "))
	}
	tw.Flush()
}

const correctSynopsis = "travel correct FROM TO MINUTES | travel correct FROM TO --remove [--data DIR] [--db URL]"

// runTravelCorrect sets (or removes) an organizer's walk between the main
// doors of two venues.
func runTravelCorrect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("travel correct", correctSynopsis, stderr)
	cfg.StoreFlags(fs)
	remove := fs.Bool("remove", false, "remove the correction between FROM and TO")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	minutes := 0
	switch {
	case *remove && len(pos) == 2:
	case !*remove && len(pos) == 3:
		minutes, err = strconv.Atoi(pos[2])
		if err != nil || minutes < 1 || minutes > 600 {
			return usageError{fmt.Sprintf("MINUTES: expected a whole number of minutes from 1 to 600, got %q", pos[2])}
		}
	default:
		return usageError{"expected FROM TO MINUTES (venue ids and the walk in minutes), or FROM TO --remove"}
	}
	return withImporter(ctx, cfg, false, stderr, func(im *importer.Importer) error {
		rep, err := im.CorrectWalk(ctx, pos[0], pos[1], minutes)
		if err != nil {
			return err
		}
		if c := rep.Correction; c.Removed {
			fmt.Fprintf(stdout, "walk correction %s – %s removed (was %d min)\n", c.FromID, c.ToID, c.Previous.Minutes)
		} else {
			fmt.Fprintf(stdout, "walk %s – %s: %d min, both ways\n", c.FromID, c.ToID, c.Minutes)
		}
		printTravelReport(stdout, rep)
		return nil
	})
}
