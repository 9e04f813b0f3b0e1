package venuepack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/venuepack"
)

func packSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../../docs/venue-pack.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("venue-pack.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := comp.Compile("venue-pack.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func shipped(t *testing.T, id string) *venuepack.Pack {
	t.Helper()
	p, err := venuepack.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every shipped pack passes the documented schema and the reader.
func TestShippedPacksMatchSchema(t *testing.T) {
	schema := packSchema(t)
	ids := venuepack.ShippedIDs()
	if len(ids) != 2 {
		t.Fatalf("shipped packs %v, want the Strip and the ULB campus", ids)
	}
	packs, err := venuepack.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		raw, err := venuepack.Raw(id)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s does not match docs/venue-pack.schema.json: %v", id, err)
		}
		if packs[i].ID != id || !venuepack.IsPack(raw) {
			t.Errorf("Shipped()[%d] = %q, want %q (IsPack %v)", i, packs[i].ID, id, venuepack.IsPack(raw))
		}
	}
	if _, err := venuepack.Get("../x"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("Get(../x) = %v, want not found", err)
	}
	venueMap, _ := os.ReadFile("../../docs/fosdem-venues.json")
	if venuepack.IsPack(venueMap) {
		t.Error("IsPack takes the FOSDEM venue map for a pack")
	}
}

// A broken pack is refused by Read, which names the place of the problem,
// and by the schema when the rule is one a schema can state (references
// between ids and geometry are the reader's alone).
func TestBrokenPacksRejected(t *testing.T) {
	schema := packSchema(t)
	raw, err := venuepack.Raw(venuepack.StripID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		spoil      func(p map[string]any)
		readerOnly bool
	}{
		{"wrong format", "format", func(p map[string]any) { p["format"] = "venuehop-pack/9" }, false},
		{"an unknown field", "", func(p map[string]any) { p["speed"] = 3 }, false},
		{"a latitude out of range", "venues[0].lat", func(p map[string]any) { venue(p, 0)["lat"] = 91.0 }, false},
		{"no entrance", "venues[1].entrances", func(p map[string]any) { venue(p, 1)["entrances"] = []any{} }, false},
		{"a duplicate entrance", "venues[2].entrances[0].id", func(p map[string]any) {
			venue(p, 2)["entrances"].([]any)[0].(map[string]any)["id"] = "venetian"
		}, true},
		{"a walk to nowhere", "walks[0].toId", func(p map[string]any) { item(p, "walks", 0)["toId"] = "atlantis" }, true},
		{"a walk shorter than the straight line", "walks[0].meters", func(p map[string]any) { item(p, "walks", 0)["meters"] = 50 }, true},
		{"a rule for another venue's door", "venues[0].access.rules[0].entranceId", func(p map[string]any) {
			venue(p, 0)["access"].(map[string]any)["rules"] = []any{map[string]any{"name": "Hall", "entranceId": "encore"}}
		}, true},
		{"a bad pattern", "venues[0].access.rules[0].name", func(p map[string]any) {
			venue(p, 0)["access"].(map[string]any)["rules"] = []any{map[string]any{"name": "(unclosed"}}
		}, true},
		{"a service ending before it starts", "shuttles[0].service[0].end", func(p map[string]any) {
			item(p, "shuttles", 0)["service"].([]any)[0].(map[string]any)["end"] = "05:00"
		}, true},
		{"a weekday that is none", "shuttles[0].service[1].weekday", func(p map[string]any) {
			item(p, "shuttles", 0)["service"].([]any)[1].(map[string]any)["weekday"] = "Caturday"
		}, false},
		{"an unknown profile", "shuttles[0].profile", func(p map[string]any) { item(p, "shuttles", 0)["profile"] = "rush" }, true},
		{"a stop off the list", "monorail[0].stops[1].stopId", func(p map[string]any) {
			item(p, "monorail", 0)["stops"].([]any)[1].(map[string]any)["stopId"] = "monorail-sahara"
		}, true},
		{"a headway of zero", "monorail[0].headwayMinutes", func(p map[string]any) { item(p, "monorail", 0)["headwayMinutes"] = 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			tt.spoil(p)
			if err := schema.Validate(p); err == nil && !tt.readerOnly {
				t.Error("the schema accepts it")
			}
			b, _ := json.Marshal(p)
			_, err := venuepack.Read(bytes.NewReader(b), "strip.json")
			var pe *venuepack.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Read: %v, want a *venuepack.Error", err)
			}
			if !errcode.Is(err, errcode.Invalid) {
				t.Errorf("Read's error is %q, want invalid", errcode.Of(err))
			}
			if tt.path != "" && !strings.Contains(err.Error(), tt.path+":") {
				t.Errorf("Read: %v\nwant a problem at %s", err, tt.path)
			}
		})
	}
}

func venue(p map[string]any, i int) map[string]any { return item(p, "venues", i) }

func item(p map[string]any, list string, i int) map[string]any {
	return p[list].([]any)[i].(map[string]any)
}

// campus is a conference with a room on a few levels in each venue named.
func campus(t *testing.T, days []string, venues ...conference.Venue) *conference.Conference {
	t.Helper()
	c := &conference.Conference{Format: conference.FormatVersion, ID: "t", Name: "T", TimeZone: "America/Los_Angeles", Days: days, Venues: venues}
	for _, v := range venues {
		for _, r := range []conference.Room{
			{Level: "Level 1", Name: "Room A"}, {Level: "Level 3", Name: "Room B"}, {Level: "Mezzanine", Name: "Room C"},
		} {
			r.ID, r.VenueID, r.Capacity = v.ID+"-"+strings.ToLower(r.Name[5:]), v.ID, 100
			c.Rooms = append(c.Rooms, r)
		}
	}
	return c
}

// Applying the Strip pack: only the conference's venues get places; the
// lines that need a venue the conference lacks are left out; rooms get the
// pack's walk from the door by level; a venue without coordinates gets the
// pack's.
func TestApplyStripToSomeVenues(t *testing.T) {
	p := shipped(t, venuepack.StripID)
	c := campus(t, []string{"2026-11-29", "2026-11-30"},
		conference.Venue{ID: "venetian", Name: "Venetian"},
		conference.Venue{ID: "cp", Name: "Caesars Palace"},
		conference.Venue{ID: "mgm-grand", Name: "MGM", Lat: 36.1, Lon: -115.17},
		conference.Venue{ID: "hq", Name: "Headquarters", Lat: 36.2, Lon: -115.2},
	)
	res, err := p.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matched) != 3 || strings.Join(res.Unmatched, ",") != "hq" {
		t.Errorf("matched %v, unmatched %v", res.Matched, res.Unmatched)
	}
	if v := res.Venues[0]; v.Lat != 36.1217 || v.Address == "" {
		t.Errorf("the Venetian without coordinates got %+v", v)
	}
	if v := res.Venues[2]; v.Lat != 36.1 {
		t.Errorf("MGM's own coordinates were replaced: %+v", v)
	}
	tm := res.Model
	for _, e := range tm.Entrances {
		if e.VenueID == "wynn" || e.ID == "encore" {
			t.Errorf("entrance %+v of a venue the conference does not have", e)
		}
	}
	lines := map[string]bool{}
	for _, l := range tm.Shuttles {
		lines[l.ID] = true
		if len(l.Service) != 2 || l.Service[1].Day != "2026-11-29" || l.Service[1].Start != "09:30" {
			t.Errorf("%s: service %+v, want the day's hours and the Sunday's", l.ID, l.Service)
		}
	}
	for _, want := range []string{"shuttle-venetian-mgm-grand", "shuttle-caesars-palace-mgm-grand"} {
		if !lines[want] {
			t.Errorf("no line %s among %v", want, lines)
		}
	}
	if lines["shuttle-caesars-palace-wynn"] || lines["shuttle-wynn-mgm-grand"] {
		t.Errorf("a line to Wynn, which the conference does not use: %v", lines)
	}
	if len(tm.Monorail) != 1 || len(tm.Monorail[0].Stops) != 4 {
		t.Fatalf("monorail %+v", tm.Monorail)
	}
	access := map[string]int{}
	for _, r := range tm.Rooms {
		access[r.RoomID] = r.Minutes
	}
	// Venetian: 6 on level 1, +2 a level; 8 for a level without a number;
	// plus 0 or 1 stable per room.
	for room, lo := range map[string]int{"venetian-a": 6, "venetian-b": 10, "venetian-c": 8, "cp-a": 8, "hq-a": -1} {
		got, ok := access[room]
		switch {
		case lo < 0 && ok:
			t.Errorf("room %s of a venue the pack does not know got access %d", room, got)
		case lo >= 0 && (got < lo || got > lo+1):
			t.Errorf("room %s: %d minutes from the door, want %d or %d", room, got, lo, lo+1)
		}
	}
	snap, err := conference.NewSnapshot(&conference.Conference{Format: c.Format, ID: c.ID, Name: c.Name, TimeZone: c.TimeZone,
		Days: c.Days, Venues: res.Venues, Rooms: c.Rooms, Travel: tm}, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatalf("the applied model does not validate: %v", err)
	}
	_ = snap
}

func TestApplyKnowsNoVenue(t *testing.T) {
	p := shipped(t, venuepack.ULBID)
	c := campus(t, []string{"2026-02-01"}, conference.Venue{ID: "x", Name: "Town Hall", Lat: 1, Lon: 1})
	if _, err := p.Apply(c); !errcode.Is(err, errcode.Invalid) {
		t.Fatalf("Apply = %v, want invalid: the pack knows none of the venues", err)
	}
}

// The Encore rule: a Wynn room named after a composer is reached from
// Encore's door; a room on a named level takes that level's minutes.
func TestApplyAccessRules(t *testing.T) {
	p := shipped(t, venuepack.StripID)
	c := &conference.Conference{Format: conference.FormatVersion, ID: "t", Name: "T", TimeZone: "America/Los_Angeles",
		Days: []string{"2026-12-01"}, Venues: []conference.Venue{{ID: "wynn", Name: "Wynn", Lat: 36.1265, Lon: -115.1657}},
		Rooms: []conference.Room{
			{ID: "w1", VenueID: "wynn", Level: "Level 3", Name: "Chopin 1", Capacity: 10},
			{ID: "w2", VenueID: "wynn", Level: "Convention Promenade", Name: "Latour 2", Capacity: 10},
			{ID: "w3", VenueID: "wynn", Level: "Upper Convention Promenade", Name: "Cristal 3", Capacity: 10},
			{ID: "w4", VenueID: "wynn", Level: "Level 9", Name: "Penthouse", Capacity: 10},
		}}
	res, err := p.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		entrance string
		lo, hi   int
	}{
		"w1": {"encore", 10, 10}, "w2": {"wynn", 6, 7}, "w3": {"wynn", 8, 9}, "w4": {"wynn", 10, 10}, // capped at 10
	}
	for _, r := range res.Model.Rooms {
		w := want[r.RoomID]
		if r.EntranceID != w.entrance || r.Minutes < w.lo || r.Minutes > w.hi {
			t.Errorf("%s: %+v, want entrance %s, %d–%d minutes", r.RoomID, r, w.entrance, w.lo, w.hi)
		}
	}
}

// A pack proposes itself for the venue names re:Invent's catalogs and
// FOSDEM's schedule write, and not for an unrelated event.
func TestPropose(t *testing.T) {
	packs, err := venuepack.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	names := func(list ...string) *conference.Conference {
		c := &conference.Conference{}
		for i, n := range list {
			c.Venues = append(c.Venues, conference.Venue{ID: strings.ToLower(strings.ReplaceAll(n, " ", "-")) + string(rune('a'+i)), Name: n})
		}
		return c
	}
	tests := []struct {
		name string
		conf *conference.Conference
		want string
	}{
		{"re:Invent 2024 as read", names("The Venetian / Palazzo", "Wynn / Encore", "Caesars Forum", "MGM Grand", "Mandalay Bay"), venuepack.StripID},
		{"short names", names("The Venetian", "Caesars Forum", "MGM", "Mandalay Bay", "Encore"), venuepack.StripID},
		{"Venetian / Palazzo and Wynn", names("Venetian / Palazzo", "Wynn", "Caesars Palace"), venuepack.StripID},
		{"FOSDEM buildings", names("Building J (Janson)", "Building K", "Building H", "Building AW", "Building U", "Online"), venuepack.ULBID},
		{"one of five", names("Caesars Forum", "Hall 1", "Hall 2", "Hall 3", "Hall 4"), ""},
		{"nothing known", names("Congress Center Hamburg"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, ok := venuepack.Propose(tt.conf, packs)
			if got := map[bool]string{true: pr.ID}[ok]; got != tt.want {
				t.Errorf("proposed %q (%+v), want %q", got, pr, tt.want)
			}
		})
	}
}
