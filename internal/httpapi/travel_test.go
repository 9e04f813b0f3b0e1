package httpapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/httpapi"
	"venuehop/internal/live"
)

// TestFallbackEstimate serves a conference without a travel model (an
// import): everything travel answers is marked as an estimate.
func TestFallbackEstimate(t *testing.T) {
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	c.Travel = nil
	// One venue nobody knows, without coordinates: no place on the map.
	c.Venues = append(c.Venues, conference.Venue{ID: "annex", Name: "The Annex"})
	c.Rooms = append(c.Rooms, conference.Room{ID: "annex-1", VenueID: "annex", Name: "Annex 1", Capacity: 50})
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var holder live.Holder
	holder.Store(st)
	mux := http.NewServeMux()
	httpapi.New(httpapi.Deps{Live: &holder, Clock: clock.Fixed(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)),
		Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()}).Register(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	var g struct {
		Estimate bool
		Features []struct {
			Geometry   *struct{ Type string }
			Properties struct{ Kind, ID string }
		}
	}
	getJSON(t, ts.URL+"/api/v1/venues.geojson", &g)
	kinds := map[string]int{}
	for _, f := range g.Features {
		kinds[f.Properties.Kind]++
		if f.Properties.ID == "annex" && f.Geometry != nil {
			t.Errorf("the unlocated venue has a geometry: %+v", f.Geometry)
		}
	}
	// Five located venues: a straight walk between each pair (10); the
	// guesses to the unlocated annex have no line to draw.
	if !g.Estimate || kinds["venue"] != 6 || kinds["walk"] != 10 || kinds["shuttle"] != 0 {
		t.Errorf("estimate %v, kinds %v", g.Estimate, kinds)
	}

	var trip struct {
		Estimate bool
		Minutes  int
		Mode     string
	}
	getJSON(t, ts.URL+"/api/v1/travel?from="+c.Rooms[0].ID+"&to=annex-1", &trip)
	if !trip.Estimate || trip.Mode != "walk" || trip.Minutes < 30 {
		t.Errorf("to the annex: %+v", trip)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
