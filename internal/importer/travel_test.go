package importer

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/travel"
	"venuehop/internal/venuepack"
)

// openStore is an importer on a fresh SQLite store; reopen gives a new one
// on the same store (as each `venuehop` command does).
func openStore(t *testing.T) (reopen func() *Importer) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return func() *Importer {
		im, closeIm, err := Open(ctx, st.Stores(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(closeIm)
		return im
	}
}

func csvOpt(dry bool, p *venuepack.Pack) Options {
	return Options{Format: "csv", TimeZone: "America/Los_Angeles", Name: "reinvent.csv", DryRun: dry, Travel: TravelOptions{Pack: p}}
}

// The dry run of a catalog with no model proposes the Strip pack; the
// import with it (the organizer's confirmation) applies it.
func TestImportProposesPackThenAppliesIt(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	im := reopen()
	dry, err := im.Import(ctx, strings.NewReader(schedule), csvOpt(true, nil))
	if err != nil {
		t.Fatal(err)
	}
	pr := dry.Travel.ProposedPack
	if pr == nil || pr.ID != venuepack.StripID || len(pr.Venues) != 4 || len(pr.Unknown) != 0 {
		t.Fatalf("proposal %+v, want the Strip pack for the four venues", pr)
	}
	p, err := venuepack.Get(pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := im.Import(ctx, strings.NewReader(schedule), csvOpt(false, p))
	if err != nil || !sum.Applied {
		t.Fatalf("import with the pack: %v %+v", err, sum)
	}
	if sum.Travel.ProposedPack != nil || sum.Travel.Pack == nil || sum.Travel.Pack.Rooms != 4 {
		t.Errorf("travel summary %+v", sum.Travel)
	}
	st := im.Live.Load()
	if st.Travel.Estimate() || st.Snap.Conf.Travel.Pack.ID != venuepack.StripID {
		t.Fatal("the stored conference has no model from the pack")
	}
	// A re-import of the same file keeps the pack's model and proposes
	// nothing more.
	again, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(true, nil))
	if err != nil || again.Travel.ProposedPack != nil {
		t.Errorf("re-import: %v, proposal %+v", err, again.Travel.ProposedPack)
	}
}

// An organizer's walk correction is kept across re-imports, whatever model
// the re-import brings: none (the stored one), a pack, or the file's own.
func TestWalkCorrectionKeptAcrossReimports(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	strip, _ := venuepack.Get(venuepack.StripID)
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, strip)); err != nil {
		t.Fatal(err)
	}
	im := reopen()
	before := betweenMinutes(t, im, "venetian", "wynn")
	rep, err := im.CorrectWalk(ctx, "wynn", "venetian", 15)
	if err != nil || !rep.Applied || rep.Correction.Previous != nil {
		t.Fatalf("correct: %v %+v", err, rep)
	}
	if got := betweenMinutes(t, im, "venetian", "wynn"); got != 15 || before == 15 {
		t.Fatalf("Venetian → Wynn after the correction: %d min (before %d), want 15", got, before)
	}
	if len(rep.Pairs) == 0 {
		t.Error("the report shows no changed pair")
	}
	check := func(step string) {
		t.Helper()
		im := reopen()
		c := im.Live.Load().Snap.Conf
		if w, ok := c.Travel.Correction("venetian", "wynn"); !ok || w.Minutes != 15 {
			t.Errorf("%s: the correction is gone (%+v)", step, c.Travel.WalkCorrections)
		}
		if got := betweenMinutes(t, im, "wynn", "venetian"); got != 15 {
			t.Errorf("%s: Wynn → Venetian %d min, want the corrected 15", step, got)
		}
	}
	// 1. the same CSV again: no model in the file, the stored one stays.
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, nil)); err != nil {
		t.Fatal(err)
	}
	check("re-import without a pack")
	// 2. with the pack: a new model, the correction carried into it.
	sum, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, strip))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Travel.WalkCorrectionsKept+sum.Travel.Pack.Corrections != 1 {
		t.Errorf("summary: %d kept by the import, %d by the pack; want 1", sum.Travel.WalkCorrectionsKept, sum.Travel.Pack.Corrections)
	}
	check("re-import with the pack")
	// 3. a native file with its own model (without the correction).
	c := *reopen().Live.Load().Snap.Conf
	tm := *c.Travel
	tm.WalkCorrections = nil
	c.Travel = &tm
	var buf bytes.Buffer
	if err := formats.WriteNative(&buf, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := reopen().Import(ctx, &buf, Options{Format: "json", Name: "own.json"}); err != nil {
		t.Fatal(err)
	}
	check("re-import of a file with its own model")
	// 4. applying a pack to the stored conference.
	if _, err := reopen().ApplyPack(ctx, strip, false, 0); err != nil {
		t.Fatal(err)
	}
	check("pack apply")
	// Removing it brings the pack's walk back.
	if rep, err := reopen().CorrectWalk(ctx, "venetian", "wynn", 0); err != nil || !rep.Correction.Removed || rep.Correction.Previous.Minutes != 15 {
		t.Fatalf("remove: %v %+v", err, rep)
	}
	if got := betweenMinutes(t, reopen(), "venetian", "wynn"); got != before {
		t.Errorf("after the removal: %d min, want the pack's %d", got, before)
	}
}

func betweenMinutes(t *testing.T, im *Importer, a, b string) int {
	t.Helper()
	st := im.Live.Load()
	// 03:00: no shuttle runs, so the trip is the walk.
	trip, err := st.Travel.Between(a, b, time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if trip.Mode != travel.ModeWalk {
		t.Fatalf("%s → %s at night: %s, want a walk", a, b, trip.Mode)
	}
	return trip.Minutes
}

// A correction on a conference without any travel model is kept too, and
// makes that walk the organizer's (no longer the straight-line guess).
func TestWalkCorrectionWithoutModel(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, nil)); err != nil {
		t.Fatal(err)
	}
	im := reopen()
	if !im.Live.Load().Travel.Estimate() {
		t.Fatal("a plain import should have no model")
	}
	if _, err := im.CorrectWalk(ctx, "caesars-forum", "mgm-grand", 33); err != nil {
		t.Fatal(err)
	}
	if got := betweenMinutes(t, im, "mgm-grand", "caesars-forum"); got != 33 {
		t.Errorf("MGM → Caesars Forum %d min, want the corrected 33", got)
	}
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, nil)); err != nil {
		t.Fatal(err)
	}
	if got := betweenMinutes(t, reopen(), "mgm-grand", "caesars-forum"); got != 33 {
		t.Errorf("after a re-import: %d min, want 33", got)
	}
}

func TestCorrectWalkRejects(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, nil)); err != nil {
		t.Fatal(err)
	}
	im := reopen()
	rev := im.Live.Load().Snap.Rev
	for _, tt := range []struct {
		from, to string
		minutes  int
		code     errcode.Code
	}{
		{"venetian", "atlantis", 10, errcode.NotFound},
		{"venetian", "venetian", 10, errcode.Invalid},
		{"venetian", "wynn", 601, errcode.Invalid},
		{"venetian", "wynn", 0, errcode.NotFound}, // nothing to remove
	} {
		if _, err := im.CorrectWalk(ctx, tt.from, tt.to, tt.minutes); !errcode.Is(err, tt.code) {
			t.Errorf("%s %s %d: %v, want %s", tt.from, tt.to, tt.minutes, err, tt.code)
		}
	}
	if im.Live.Load().Snap.Rev != rev {
		t.Error("a refused correction stored a revision")
	}
}

// A pack applied to the stored conference: the dry run changes nothing and
// shows the door-to-door times that change; the apply stores them.
func TestApplyPackDryRunThenApply(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, nil)); err != nil {
		t.Fatal(err)
	}
	im := reopen()
	strip, _ := venuepack.Get(venuepack.StripID)
	rev := im.Live.Load().Snap.Rev
	dry, err := im.ApplyPack(ctx, strip, true, 0)
	if err != nil || dry.Applied || im.Live.Load().Snap.Rev != rev {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	if len(dry.Pairs) == 0 || !dry.Pairs[0].Before.Estimate || dry.Pairs[0].After.Estimate {
		t.Errorf("pairs %+v: want estimates before, the pack's times after", dry.Pairs)
	}
	if _, err := im.ApplyPack(ctx, strip, false, rev+5); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("apply on a stale revision: %v, want a conflict", err)
	}
	rep, err := im.ApplyPack(ctx, strip, false, rev)
	if err != nil || !rep.Applied || rep.Rev != rev+1 {
		t.Fatalf("apply: %v %+v", err, rep)
	}
	if reopen().Live.Load().Travel.Estimate() {
		t.Error("after the apply the stored conference still has no model")
	}
	if _, err := im.ApplyPack(ctx, mustPack(t, venuepack.ULBID), true, 0); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("the campus pack on the Strip: %v, want invalid (no venue in common)", err)
	}
}

func mustPack(t *testing.T, id string) *venuepack.Pack {
	t.Helper()
	p, err := venuepack.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A plain timetable on the stored conference: the named line runs only
// then; a line the conference lacks is made from its stops.
func TestApplyPlainTimetable(t *testing.T) {
	ctx := context.Background()
	reopen := openStore(t)
	strip, _ := venuepack.Get(venuepack.StripID)
	if _, err := reopen().Import(ctx, strings.NewReader(schedule), csvOpt(false, strip)); err != nil {
		t.Fatal(err)
	}
	im := reopen()
	csv := "line,stops,days,from,to,headway\n" +
		"shuttle-venetian-mgm-grand,,all,08:00,12:00,20\n" +
		"Airport express,venetian;Caesars Forum,Wed,09:00,10:00,30\n"
	tt, err := venuepack.ReadTimetable(strings.NewReader(csv), "hours.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := im.ApplyTimetable(ctx, tt, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Timetable.Created) != 1 || len(rep.Timetable.Lines) != 2 {
		t.Fatalf("timetable result %+v", rep.Timetable)
	}
	c := reopen().Live.Load().Snap.Conf
	var line conference.TransitLine
	for _, l := range c.Travel.Shuttles {
		if l.ID == "shuttle-venetian-mgm-grand" {
			line = l
		}
	}
	if len(line.Service) != len(c.Days) || line.Service[0].Start != "08:00" || line.Service[0].HeadwayMinutes != 20 {
		t.Errorf("line hours %+v", line.Service)
	}
	m := reopen().Live.Load().Travel
	late, ok := m.ServiceDuring("shuttle-venetian-mgm-grand", time.Date(2026, 12, 2, 14, 0, 0, 0, mustZone(t)), 60)
	if !ok || late.Running {
		t.Errorf("the line runs at 14:00 (%+v); the timetable ends it at 12:00", late)
	}
	early, _ := m.ServiceDuring("shuttle-venetian-mgm-grand", time.Date(2026, 12, 2, 9, 0, 0, 0, mustZone(t)), 60)
	if !early.Running || early.ExpectedWait < 8 || early.ExpectedWait > 11 {
		t.Errorf("at 09:00: %+v, want running every 20 minutes (about 10 to wait)", early)
	}
}

func mustZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
