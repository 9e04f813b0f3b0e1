package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/store/sqlite"
)

// demoStore is a store holding the demo (its travel model, meals, expo,
// keynotes with overflow rooms) and an importer on it.
func demoStore(t *testing.T) (*sqlite.Store, *conference.Conference, func() (*Importer, func())) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveConference(ctx, c, 0); err != nil {
		t.Fatal(err)
	}
	if c.Travel == nil || c.Expo == nil || len(c.Meals) == 0 {
		t.Fatal("the demo has no travel model, expo or meals to keep")
	}
	open := func() (*Importer, func()) {
		im, closeIm, err := Open(ctx, st.Stores(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return im, closeIm
	}
	return st, c, open
}

// editCSV exports c as CSV and lets edit change the rows (the header is
// row 0).
func editCSV(t *testing.T, c *conference.Conference, edit func(rows [][]string) [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := formats.Write(&buf, c, formats.FormatCSV, formats.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = edit(rows)
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.WriteAll(rows)
	return out.String()
}

func col(rows [][]string, name string) int {
	for i, h := range rows[0] {
		if h == name {
			return i
		}
	}
	return -1
}

// The organizer's round trip: export CSV, change one time, remove one row,
// re-import. The travel model, expo, meals, overflow rooms, capacities and
// reservability all stay; nothing is dropped; no confirmation is needed.
func TestCSVReimportKeepsTheModel(t *testing.T) {
	ctx := context.Background()
	st, c, open := demoStore(t)
	var moved, removed string
	file := editCSV(t, c, func(rows [][]string) [][]string {
		start, id, typ := col(rows, "start"), col(rows, "id"), col(rows, "type")
		for i := 1; i < len(rows); i++ {
			r := rows[i]
			if moved == "" && r[start] == "09:00" && r[typ] == conference.TypeWorkshop {
				r[start], moved = "09:05", r[id]
			} else if removed == "" && r[typ] == conference.TypeChalkTalk {
				removed = r[id]
				rows = append(rows[:i], rows[i+1:]...)
				i--
			}
		}
		return rows
	})
	if moved == "" || removed == "" {
		t.Fatal("no row to change")
	}
	im, closeIm := open()
	defer closeIm()
	dry, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "export.csv", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	cq := dry.Consequences
	if cq.SessionsChanged != 1 || cq.SessionsRemoved != 1 || cq.SessionsAdded != 0 || cq.ModelPartsDropped != 0 || len(cq.NeedsConfirmation) != 0 || cq.RemovesAll {
		t.Fatalf("consequences %+v, dropped %v", cq, dry.Dropped)
	}
	sum, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "export.csv"})
	if err != nil || !sum.Applied {
		t.Fatalf("apply: %v %+v", err, sum.Consequences)
	}
	now, _, err := st.LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for what, pair := range map[string][2]any{"travel model": {now.Travel, c.Travel}, "expo": {now.Expo, c.Expo},
		"meals": {now.Meals, c.Meals}, "rooms": {byID(now.Rooms), byID(c.Rooms)}, "venues": {now.Venues, c.Venues}} {
		if a, b := asJSON(t, pair[0]), asJSON(t, pair[1]); a != b {
			t.Errorf("the %s changed:\n%.600s\n%.600s", what, a, b)
		}
	}
	stored := map[string]conference.Session{}
	for _, s := range c.Sessions {
		stored[s.ID] = s
	}
	overflow := 0
	for _, s := range now.Sessions {
		p := stored[s.ID]
		if s.ID == moved {
			p.Start = p.Start.Add(5 * time.Minute)
		}
		if !p.Start.Equal(s.Start) || !p.End.Equal(s.End) {
			t.Errorf("%s: time %v–%v, want %v–%v", s.ID, s.Start, s.End, p.Start, p.End)
		}
		p.Start, p.End, s.Start, s.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(p, s) {
			t.Errorf("session %s changed:\n%+v\n%+v", s.ID, p, s)
		}
		overflow += len(s.OverflowRoomIDs)
	}
	if overflow == 0 || len(now.Sessions) != len(c.Sessions)-1 {
		t.Errorf("%d overflow rooms, %d sessions", overflow, len(now.Sessions))
	}
}

// A CSV without one venue's sessions: everything of the model that refers
// to that venue is dropped, each item named, and Apply needs a
// confirmation.
func TestReimportDropsOnlyWhatRefersToRemovedVenues(t *testing.T) {
	ctx := context.Background()
	st, c, open := demoStore(t)
	gone := c.Venues[len(c.Venues)-1].ID
	file := editCSV(t, c, func(rows [][]string) [][]string {
		v := col(rows, "venueId")
		out := rows[:1]
		for _, r := range rows[1:] {
			if r[v] != gone {
				out = append(out, r)
			}
		}
		return out
	})
	im, closeIm := open()
	defer closeIm()
	dry, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "export.csv", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Dropped) == 0 || dry.Consequences.ModelPartsDropped != len(dry.Dropped) || len(dry.Consequences.NeedsConfirmation) == 0 {
		t.Fatalf("dropped %v, consequences %+v", dry.Dropped, dry.Consequences)
	}
	for _, d := range dry.Dropped {
		if !strings.Contains(d, gone) && !strings.Contains(d, "overflow room") && !strings.Contains(d, "the walk") {
			t.Errorf("dropped item %q does not name what it refers to", d)
		}
	}
	_, revBefore, _ := st.LoadConference(ctx)
	if _, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "export.csv"}); !errcode.Is(err, errcode.Conflict) ||
		!strings.Contains(err.Error(), "needs a confirmation") {
		t.Fatalf("apply without confirmation: %v", err)
	}
	if _, rev, _ := st.LoadConference(ctx); rev != revBefore {
		t.Fatal("a refused import stored a revision")
	}
	sum, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "export.csv", Confirm: true})
	if err != nil || !sum.Applied {
		t.Fatalf("confirmed: %v", err)
	}
	now, _, _ := st.LoadConference(ctx)
	if now.Travel == nil || len(now.Travel.Entrances) == 0 || now.Expo == nil && c.Expo.VenueID != gone {
		t.Errorf("travel %v expo %v: more than the removed venue's parts went", now.Travel != nil, now.Expo)
	}
	for _, e := range now.Travel.Entrances {
		if e.VenueID == gone {
			t.Errorf("entrance %s of the removed venue kept", e.ID)
		}
	}
}

// A file none of whose sessions has a stored id would remove every
// session: refused even with Confirm, applied with AllowRemoveAll.
func TestRemoveAllNeedsItsOwnConfirmation(t *testing.T) {
	ctx := context.Background()
	st, c, open := demoStore(t)
	file := editCSV(t, c, func(rows [][]string) [][]string {
		id := col(rows, "id")
		for _, r := range rows[1:] {
			r[id] = "new-" + r[id]
		}
		return rows
	})
	im, closeIm := open()
	defer closeIm()
	_, revBefore, _ := st.LoadConference(ctx)
	sum, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "x.csv", Confirm: true})
	if !errcode.Is(err, errcode.Conflict) || !sum.Consequences.RemovesAll || !strings.Contains(err.Error(), "every one of the") {
		t.Fatalf("err %v, consequences %+v", err, sum.Consequences)
	}
	if _, rev, _ := st.LoadConference(ctx); rev != revBefore {
		t.Fatal("stored")
	}
	if sum, err := im.Import(ctx, strings.NewReader(file), Options{Format: "csv", Name: "x.csv", Confirm: true, AllowRemoveAll: true}); err != nil || !sum.Applied {
		t.Fatalf("allowed: %v", err)
	}
}

// A frab re-import (its own export) keeps what frab has no room for: room
// capacities, levels of sessions, reservability, capacity overrides,
// catalog codes, speakers' companies.
func TestFrabReimportKeepsWhatFrabCannotSay(t *testing.T) {
	ctx := context.Background()
	st, c, open := demoStore(t)
	var buf bytes.Buffer
	if err := formats.Write(&buf, c, formats.FormatFrab, formats.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	im, closeIm := open()
	defer closeIm()
	sum, err := im.Import(ctx, bytes.NewReader(buf.Bytes()), Options{Format: "frab", Name: "schedule.xml", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Changed != 0 || len(sum.Dropped) != 0 {
		t.Errorf("%d sessions changed (%v), dropped %v", sum.Changed, firstChanges(sum), sum.Dropped)
	}
	now, _, _ := st.LoadConference(ctx)
	if asJSON(t, byID(now.Rooms)) != asJSON(t, byID(c.Rooms)) || asJSON(t, now.Travel) != asJSON(t, c.Travel) {
		t.Error("rooms or the travel model changed")
	}
}

// asJSON compares values as their JSON (times in their zone's offset).
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// byID keys rooms by id: a re-import may list them in another order.
func byID(rooms []conference.Room) map[string]conference.Room {
	m := map[string]conference.Room{}
	for _, r := range rooms {
		m[r.ID] = r
	}
	return m
}

func firstChanges(sum *Summary) []SessionChange {
	return sum.Changes[:min(3, len(sum.Changes))]
}
