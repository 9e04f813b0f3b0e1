package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// fetchRaw GETs url with the headers given (name, value, …) without letting
// the transport decompress, and returns the answer and its raw body.
func fetchRaw(t testing.TB, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

type offlineCatalog struct {
	Revision int64 `json:"revision"`
	Sessions []struct {
		ID, Title, Abstract, Type, RoomID, VenueID string
		Start, End                                 string
		Level                                      int
		Topics, Speakers                           []string
	} `json:"sessions"`
	Rooms  []struct{ ID, Name, VenueID string } `json:"rooms"`
	Venues []struct{ ID, Name string }          `json:"venues"`
}

// The offline catalog holds every demo session with the fields the
// offline catalog filters read; its ETag is the revision and answers 304;
// it is gzip-compressed when asked, plain otherwise.
func TestOfflineCatalog(t *testing.T) {
	a, srv := newTestApp(t)
	url := srv.URL + "/api/v1/offline/catalog"
	resp, gz := fetchRaw(t, url, "Accept-Encoding", "gzip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var cat offlineCatalog
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	conf := a.live.Load().Snap
	if want := `"rev-` + itoa(conf.Rev) + `"`; resp.Header.Get("ETag") != want || cat.Revision != conf.Rev {
		t.Errorf("ETag %q revision %d, want %s", resp.Header.Get("ETag"), cat.Revision, want)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	if len(cat.Sessions) != len(conf.Conf.Sessions) || len(cat.Rooms) != len(conf.Conf.Rooms) || len(cat.Venues) != len(conf.Conf.Venues) {
		t.Fatalf("%d sessions %d rooms %d venues, want %d %d %d", len(cat.Sessions), len(cat.Rooms), len(cat.Venues),
			len(conf.Conf.Sessions), len(conf.Conf.Rooms), len(conf.Conf.Venues))
	}
	for i, s := range cat.Sessions {
		src := conf.Conf.Sessions[i]
		if s.ID != src.ID || s.Title != src.Title || s.Type != src.Type || s.Level != src.Level || len(s.Speakers) != len(src.Speakers) {
			t.Fatalf("session %d: %+v, from %+v", i, s, src)
		}
		if n := len([]rune(s.Abstract)); n > 160 {
			t.Fatalf("session %s: abstract of %d runes", s.ID, n)
		}
		if src.Scheduled() && (s.Start == "" || s.RoomID == "" || s.VenueID == "") {
			t.Fatalf("scheduled session %s lacks start, room or venue: %+v", s.ID, s)
		}
	}

	for _, tc := range []struct {
		name, inm string
		want      int
	}{
		{"same revision", resp.Header.Get("ETag"), http.StatusNotModified},
		{"in a list, weak", `"x", W/` + resp.Header.Get("ETag"), http.StatusNotModified},
		{"older revision", `"rev-0"`, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, b := fetchRaw(t, url, "If-None-Match", tc.inm)
			if r.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.want)
			}
			if tc.want == http.StatusNotModified && len(b) != 0 {
				t.Errorf("304 with a body of %d bytes", len(b))
			}
			if tc.want == http.StatusOK && !bytes.Equal(b, body) {
				t.Errorf("the plain answer (%d bytes) differs from the gzip one (%d)", len(b), len(body))
			}
		})
	}
}

// offlineBundleSize is the gzip size of the demo's offline catalog and, when
// the route exists, of its travel tables (0 when it answers 404).
func offlineBundleSize(t testing.TB, base string) (catalog, travel int) {
	r, b := fetchRaw(t, base+"/api/v1/offline/catalog", "Accept-Encoding", "gzip")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("offline catalog: %d %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	catalog = len(b)
	r, b = fetchRaw(t, base+"/api/v1/offline/travel", "Accept-Encoding", "gzip")
	switch {
	case r.StatusCode == http.StatusNotFound:
	case r.StatusCode != http.StatusOK:
		t.Fatalf("offline travel: %d", r.StatusCode)
	case r.Header.Get("Content-Encoding") == "gzip":
		travel = len(b)
	default:
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		travel = buf.Len()
	}
	return catalog, travel
}

// The demo's offline bundle, gzip-compressed, stays within 300 KB; the
// catalog alone well under it (at most 200 KB), leaving room for travel.
func TestOfflineBundleSize(t *testing.T) {
	_, srv := newTestApp(t)
	cat, travel := offlineBundleSize(t, srv.URL)
	t.Logf("gzip: catalog %d bytes, travel %d bytes (0: no route), total %d", cat, travel, cat+travel)
	if cat > 200<<10 {
		t.Errorf("the offline catalog is %d bytes compressed, over 200 KB", cat)
	}
	if cat+travel > 300<<10 {
		t.Errorf("the offline bundle is %d bytes compressed, over 300 KB", cat+travel)
	}
}

func BenchmarkOfflineBundle(b *testing.B) {
	_, srv := newTestApp(b)
	var cat, travel int
	for b.Loop() {
		cat, travel = offlineBundleSize(b, srv.URL)
	}
	b.ReportMetric(float64(cat), "catalog-gz-bytes")
	b.ReportMetric(float64(travel), "travel-gz-bytes")
	b.ReportMetric(float64(cat+travel), "bundle-gz-bytes")
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
