package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"venuehop/internal/clock"
	"venuehop/internal/demo"
	"venuehop/internal/httpapi"
	"venuehop/internal/live"
)

func demoState(tb testing.TB) *live.State {
	tb.Helper()
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		tb.Fatal(err)
	}
	st, err := live.Build(c, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func gzipSize(tb testing.TB, b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Len()
}

// TestOfflineTravel serves the demo's offline travel tables: public, an
// ETag per revision with 304 on If-None-Match, and small compressed (the
// offline bundle's budget, docs/offline.md).
func TestOfflineTravel(t *testing.T) {
	st := demoState(t)
	var holder live.Holder
	holder.Store(st)
	mux := http.NewServeMux()
	httpapi.New(httpapi.Deps{Live: &holder, Clock: clock.Fixed(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)),
		Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()}).Register(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	res, err := http.Get(ts.URL + "/api/v1/offline/travel")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || etag == "" || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET: %d, ETag %q, type %q", res.StatusCode, etag, res.Header.Get("Content-Type"))
	}
	size := gzipSize(t, body)
	t.Logf("offline travel for the demo: %d bytes, %d bytes gzip", len(body), size)
	if size > 150<<10 {
		t.Errorf("offline travel is %d bytes gzip, over 150 KB", size)
	}

	cases := []struct {
		name, inm string
		want      int
	}{
		{"same ETag", etag, http.StatusNotModified},
		{"other ETag", `"other"`, http.StatusOK},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/offline/travel", nil)
		req.Header.Set("If-None-Match", tc.inm)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}

	// A new revision is a new document with a new ETag.
	st2 := demoState(t)
	st2.Snap.Rev = 2
	holder.Store(st2)
	res, err = http.Get(ts.URL + "/api/v1/offline/travel")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := res.Header.Get("ETag"); e == etag || e == "" {
		t.Errorf("revision 2 has ETag %q, revision 1 had %q", e, etag)
	}
}

// BenchmarkOfflineTravel builds the demo's offline travel document.
func BenchmarkOfflineTravel(b *testing.B) {
	st := demoState(b)
	var n int
	for b.Loop() {
		body, err := httpapi.OfflineTravel(st.Snap, st.Travel)
		if err != nil {
			b.Fatal(err)
		}
		n = len(body)
	}
	b.ReportMetric(float64(n), "bytes")
}
