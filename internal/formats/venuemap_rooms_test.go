package formats

import (
	"strings"
	"testing"
)

// A venue map places rooms by their names — exact, pattern, prefix — and
// gives each venue its accessMinutes, for a CSV without a venue column as
// for any other format.
func TestVenueMapPlacesRoomsByName(t *testing.T) {
	m, err := ReadVenueMap(strings.NewReader(`{"venues": [
		{"id": "k", "name": "Building K", "lat": 50.8147, "lon": 4.3818, "prefixes": ["K."], "accessMinutes": 3},
		{"id": "u", "name": "Building U", "lat": 50.8128, "lon": 4.3823, "patterns": ["^U[A-D]?[0-9.]"]},
		{"id": "j", "name": "Janson", "lat": 50.8133, "lon": 4.3797, "rooms": ["Janson"]}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	csv := "title,date,startTime,endTime,room\n" +
		"A,2026-01-31,10:00,10:30,K.1.105\nB,2026-01-31,10:00,10:30,UB2.252A\nC,2026-01-31,10:00,10:30,janson\nD,2026-01-31,10:00,10:30,Lobby\n"
	c, _, err := Read(strings.NewReader(csv), ReadOptions{Format: FormatCSV, TimeZone: "Europe/Brussels", Venues: m, Name: "f.csv"})
	if err != nil {
		t.Fatal(err)
	}
	venueOf := map[string]string{}
	for _, r := range c.Rooms {
		venueOf[r.Name] = r.VenueID
	}
	for room, want := range map[string]string{"K.1.105": "k", "UB2.252A": "u", "janson": "j", "Lobby": "f"} {
		if venueOf[room] != want {
			t.Errorf("room %s in venue %q, want %q", room, venueOf[room], want)
		}
	}
	for _, v := range c.Venues {
		if v.ID == "k" && v.AccessMinutes != 3 {
			t.Errorf("venue k: accessMinutes %d, want the map's 3", v.AccessMinutes)
		}
	}
	if _, err := ReadVenueMap(strings.NewReader(`{"venues": [{"id": "k", "name": "K", "lat": 1, "lon": 1, "accessMinutes": 99}]}`)); err == nil ||
		!strings.Contains(err.Error(), "venues[0].accessMinutes") {
		t.Errorf("accessMinutes 99: %v", err)
	}
}
