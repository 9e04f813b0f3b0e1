package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"venuehop/internal/app"
	"venuehop/internal/config"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/importer"
	"venuehop/internal/store"
)

// runImport loads a conference file into the store through the importer,
// the same path the organizer's upload takes: a re-import updates the
// stored conference by session id and brings the seats along (removed
// sessions cancel their reservations). Run it on a store no server is
// using; with a server running, upload the file at /admin/import instead.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("import", "import FILE [--format auto|json|csv|frab|c3voc|ical] [--timezone ZONE] [--dst earlier|later] [--venues MAP|PACK] [--timetable FILE] [--data DIR] [--db URL] [--dry-run] [--confirm] [--allow-remove-all]", stderr)
	cfg.StoreFlags(fs)
	format := fs.String("format", "auto", "auto, json, csv, frab, c3voc or ical (docs/formats.md)")
	tz := fs.String("timezone", "", "IANA time zone for a file that names none")
	dst := fs.String("dst", "", "earlier or later: which instant a local time that happens twice or never means (default: such a time is an error)")
	venuesFile := fs.String("venues", "", "a venue map FILE (room names to venues with coordinates, docs/formats.md), or a venue pack: a FILE or a shipped pack's id (docs/venue-packs.md)")
	timetableFile := fs.String("timetable", "", "shuttle and monorail hours: the official agenda CSV, or line,stops,days,from,to,headway (docs/venue-packs.md)")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would change, store nothing")
	confirm := fs.Bool("confirm", false, "apply even when stored model parts are dropped or more than 10% of the sessions are removed")
	removeAll := fs.Bool("allow-remove-all", false, "apply even when the file removes every stored session")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"expected exactly one FILE to import"}
	}
	if *tz != "" {
		if _, err := formats.CanonicalZone(*tz); err != nil {
			return usageError{fmt.Sprintf("--timezone: %v", err)}
		}
	}
	switch *dst {
	case "", formats.DSTEarlier, formats.DSTLater:
	default:
		return usageError{fmt.Sprintf("--dst: expected earlier or later, got %q", *dst)}
	}
	path := pos[0]
	switch strings.ToLower(*format) {
	case "auto", "json", "csv", "frab", "c3voc", "ical":
	default:
		return usageError{fmt.Sprintf("--format: expected auto, json, csv, frab, c3voc or ical, got %q", *format)}
	}
	var venues *formats.VenueMap
	var travelOpt importer.TravelOptions
	if *venuesFile != "" {
		if venues, travelOpt.Pack, err = loadVenues(*venuesFile); err != nil {
			return err
		}
	}
	if *timetableFile != "" {
		if travelOpt.Timetable, err = loadTimetable(*timetableFile); err != nil {
			return err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return fmt.Errorf("cannot read %s: it is a directory", path)
	}

	return withImporter(ctx, cfg, *dryRun, stderr, func(im *importer.Importer) error { // venues.go
		sum, err := im.Import(ctx, f, importer.Options{Format: *format, TimeZone: *tz, DST: *dst, Venues: venues, Name: path,
			DryRun: *dryRun, Confirm: *confirm, AllowRemoveAll: *removeAll, Travel: travelOpt})
		if sum != nil {
			for _, w := range sum.Warnings {
				fmt.Fprintf(stderr, "warning: %s\n", w)
			}
		}
		if err != nil && sum != nil && !sum.Applied && errcode.Is(err, errcode.Conflict) && needsConfirmation(sum) {
			printSummary(stdout, sum)
			flag := "--confirm"
			if sum.Consequences.RemovesAll {
				flag = "--allow-remove-all"
			}
			return fmt.Errorf("%s; check the list above and run again with %s to apply", message(err), flag)
		}
		if err != nil {
			return err
		}
		printSummary(stdout, sum)
		printTravelSummary(stdout, path, sum.Travel, sum.DryRun)
		return nil
	})
}

func needsConfirmation(sum *importer.Summary) bool {
	return len(sum.Consequences.NeedsConfirmation) > 0 || sum.Consequences.RemovesAll
}

// openImporter opens the store for an import: as its one writer (the
// data directory's lock), or read-only for a dry run, which then works
// beside a running server and creates nothing on disk (no store yet: the
// file is checked as a first import).
func openImporter(ctx context.Context, cfg config.Config, dryRun bool, stderr io.Writer) (*importer.Importer, func(), error) {
	if dryRun {
		st, err := app.OpenStoreReadOnly(ctx, cfg)
		if errcode.Is(err, errcode.NotFound) && cfg.DB == "" {
			im, err := importer.OpenForCheck(ctx, store.Stores{})
			return im, func() {}, err
		}
		if err != nil {
			return nil, nil, err
		}
		im, err := importer.OpenForCheck(ctx, st)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return im, func() { st.Close() }, nil
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	im, closeImporter, err := importer.Open(ctx, st, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return im, func() { closeImporter(); st.Close() }, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// printSummary writes what the import did (or would do): the counts, the
// seat consequences, and the sessions that changed (the first few).
func printSummary(w io.Writer, sum *importer.Summary) {
	verb := "imported"
	switch {
	case sum.DryRun:
		verb = "would import"
	case !sum.Applied:
		verb = "did not import"
	}
	fmt.Fprintf(w, "%s %s: %d sessions (%d added, %d changed, %d removed), %d venues, %d rooms\n",
		verb, sum.File, sum.Sessions, sum.Added, sum.Changed, sum.Removed, sum.VenueCount, sum.RoomCount)
	cq := sum.Consequences
	fmt.Fprintf(w, "consequences: %d sessions added, %d changed, %d removed; %d seats cancelled; %d attendees told; %d model parts dropped\n",
		cq.SessionsAdded, cq.SessionsChanged, cq.SessionsRemoved, cq.SeatsCancelled, cq.AttendeesTold, cq.ModelPartsDropped)
	for _, d := range sum.Dropped {
		fmt.Fprintf(w, "  dropped: %s\n", d)
	}
	for _, why := range cq.NeedsConfirmation {
		fmt.Fprintf(w, "  needs confirmation (--confirm): %s\n", why)
	}
	if cq.RemovesAll {
		fmt.Fprintf(w, "  needs confirmation (--allow-remove-all): every stored session is removed\n")
	}
	if s := sum.Seats; s != (importer.Seats{}) {
		fmt.Fprintf(w, "seats: %d reservations cancelled, %d waitlist places cleared, %d offers withdrawn; %d reservations of moved sessions kept (%d now overlap another); %d attendees affected\n",
			s.ReservationsCancelled, s.WaitlistCleared, s.OffersWithdrawn, s.ReservationsKept, s.Overlaps, s.AttendeesAffected)
	}
	shown := 0
	for _, ch := range sum.Changes {
		if ch.Kind == "added" {
			continue
		}
		if shown == 20 {
			fmt.Fprintf(w, "  ... and more (%d changed, %d removed in all)\n", sum.Changed, sum.Removed)
			break
		}
		shown++
		line := fmt.Sprintf("  %-9s %s %q", ch.Kind, ch.SessionID, ch.Title)
		if len(ch.Fields) > 0 {
			line += " (" + strings.Join(ch.Fields, ", ") + ")"
		}
		if ch.Reserved > 0 {
			line += fmt.Sprintf(", %d reserved", ch.Reserved)
		}
		fmt.Fprintln(w, line)
	}
	if sum.Applied {
		fmt.Fprintf(w, "stored as revision %d\n", sum.Rev)
	}
}
