package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"venuehop/internal/browsertest"
	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/httpapi"
	"venuehop/internal/live"
	"venuehop/internal/web"
)

// mapSite serves the pages and the JSON API (the map page reads its
// GeoJSON) for the demo, without map tiles: no network here.
func mapSite(t *testing.T) (*httptest.Server, *conference.Snapshot) {
	t.Helper()
	c, err := demoConference()
	if err != nil {
		t.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var holder live.Holder
	holder.Store(st)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	mux := http.NewServeMux()
	httpapi.New(httpapi.Deps{Live: &holder, Clock: clock.Fixed(demoStart), Logger: log, Registry: prometheus.NewRegistry()}).Register(mux)
	pages, err := web.New(web.Deps{Live: &holder, Logger: log, Tiles: ""})
	if err != nil {
		t.Fatal(err)
	}
	pages.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts, st.Snap
}

// hop asks for a session in a venue starting between min and max after the
// previous one ends.
type hop struct {
	venue    string
	min, max time.Duration
}

// dayRoute picks one session per hop on one day, each the earliest that
// fits: the first from 09:00.
func dayRoute(t *testing.T, snap *conference.Snapshot, day string, hops []hop) []*conference.Session {
	t.Helper()
	var out []*conference.Session
	for _, h := range hops {
		var best *conference.Session
		for i := range snap.Conf.Sessions {
			s := &snap.Conf.Sessions[i]
			v, ok := snap.VenueOfRoom(s.RoomID)
			if !ok || v.ID != h.venue || s.Cancelled || !s.Scheduled() || snap.Day(s.Start) != day || len(s.OverflowRoomIDs) > 0 {
				continue
			}
			if len(out) == 0 {
				if snap.Local(s.Start).Hour() < 9 {
					continue
				}
			} else if gap := s.Start.Sub(out[len(out)-1].End); gap < h.min || gap > h.max {
				continue
			}
			if best == nil || s.Start.Before(best.Start) {
				best = s
			}
		}
		if best == nil {
			t.Fatalf("no session at %s on %s for hop %d", h.venue, day, len(out))
		}
		out = append(out, best)
	}
	return out
}

// viewportShot saves what the screen shows (a full-page phone shot is too
// tall to judge the map by).
func viewportShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkVenueLabels verifies that each venue's name sits next to its marker.
func checkVenueLabels(t *testing.T, ctx context.Context) {
	t.Helper()
	far := eval[[]string](t, ctx, `(() => {
		// Markers off the map are not drawn (Leaflet empties their path).
		const box = document.getElementById('map').getBoundingClientRect();
		const markers = [...document.querySelectorAll('path.venue-marker')].map(m => m.getBoundingClientRect());
		const labels = [...document.querySelectorAll('.venue-label')];
		return labels.filter((l, i) => {
			const a = l.getBoundingClientRect(), m = markers[i];
			if (m.width === 0 || m.right < box.left || m.left > box.right || m.bottom < box.top || m.top > box.bottom) return false;
			const dx = a.left - m.right, dy = (a.top + a.bottom) / 2 - (m.top + m.bottom) / 2;
			return Math.abs(dx) > 30 || Math.abs(dy) > 15;
		}).map(l => l.textContent);
	})()`)
	if len(far) > 0 {
		t.Errorf("venue names away from their markers: %q", far)
	}
}

// TestBrowserMap opens the map for a day's sessions in four venues: the
// venue markers and one polyline per leg are drawn, without tiles, and
// every leg's label gives its minutes and when to leave.
func TestBrowserMap(t *testing.T) {
	ctx := browsertest.New(t) // first: without a browser, skip before any work
	ts, snap := mapSite(t)
	shots := browsertest.ShotsDir(t)
	problems := browsertest.WatchConsole(ctx)

	route := dayRoute(t, snap, snap.Conf.Days[1], []hop{
		{demo.VenueVenetian, 0, 0},
		{demo.VenueCaesarsForum, 45 * time.Minute, 2 * time.Hour}, // a comfortable walk
		{demo.VenueMGMGrand, 30 * time.Minute, 40 * time.Minute},  // tight or late at lunch
		{demo.VenueMandalayBay, 75 * time.Minute, 3 * time.Hour},  // the shuttle
		{demo.VenueMandalayBay, 0, 90 * time.Minute},              // inside one venue
	})
	var ids []string
	for _, s := range route {
		ids = append(ids, s.ID)
	}
	legs := len(route) - 1
	page := ts.URL + "/map?sessions=" + strings.Join(ids, ",")

	ready := chromedp.Poll[chromedp.Void](`document.getElementById('map').dataset.ready === 'true'`, chromedp.WithPollingTimeout(15*time.Second))
	run(t, ctx, "open the map",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(page),
		ready,
	)
	if n := eval[int](t, ctx, `document.querySelectorAll('path.venue-marker').length`); n != len(snap.Conf.Venues) {
		t.Errorf("%d venue markers, want %d", n, len(snap.Conf.Venues))
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('path.route-leg').length`); n != legs {
		t.Errorf("%d route polylines, want one per leg (%d)", n, legs)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('path.map-walk').length`); n == 0 {
		t.Error("no walking paths drawn")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('path.map-shuttle').length`); n == 0 {
		t.Error("no shuttle lines drawn")
	}
	labels := eval[[]string](t, ctx, `[...document.querySelectorAll('.leaflet-tooltip.leg-label')].map(e => e.textContent)`)
	if len(labels) != legs {
		t.Fatalf("leg labels %q, want %d", labels, legs)
	}
	for _, l := range labels {
		if !strings.Contains(l, " min") || !strings.Contains(l, "leave by ") {
			t.Errorf("leg label %q: want minutes and the time to leave", l)
		}
	}
	checkVenueLabels(t, ctx)
	run(t, ctx, "zoom in", chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(600*time.Millisecond)) // the zoom animation takes 250 ms
	checkVenueLabels(t, ctx)
	if n := eval[int](t, ctx, `document.querySelectorAll('.leaflet-control-scale-line').length`); n == 0 {
		t.Error("no scale")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.leaflet-tile').length`); n != 0 {
		t.Errorf("%d tiles loaded with tiles disabled", n)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('.leaflet-control #map-legend')`) {
		t.Error("the legend is not on the map")
	}
	// The legs table (the page without script) agrees with the map.
	if n := eval[int](t, ctx, `document.querySelectorAll('.legs-table tbody tr').length`); n != legs {
		t.Errorf("%d rows in the legs table, want %d", n, legs)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "map-desktop.png"))

	run(t, ctx, "open the map on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(page),
		ready,
	)
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the phone page is %d px wide, wider than the 390 px screen", w)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('path.route-leg').length`); n != legs {
		t.Errorf("phone: %d route polylines, want %d", n, legs)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "map-phone.png"))
	viewportShot(t, ctx, filepath.Join(shots, "map-phone-screen.png"))

	run(t, ctx, "the map without a route",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(ts.URL+"/map"),
		ready,
	)
	if n := eval[int](t, ctx, `document.querySelectorAll('path.route-leg').length`); n != 0 {
		t.Errorf("%d route legs without sessions", n)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(shots, "map-venues.png"))

	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}
