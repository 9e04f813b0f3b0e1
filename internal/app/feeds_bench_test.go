package app

import (
	"io"
	"net/http"
	"testing"
)

// benchGet fetches url over real HTTP b.N times, the body read whole.
func benchGet(b *testing.B, url string, hdr ...string) {
	b.Helper()
	client := &http.Client{}
	var bytes int64
	for b.Loop() {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode >= 400 {
			b.Fatalf("GET %s: %v %v", url, err, resp)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		bytes = n
	}
	b.ReportMetric(float64(bytes), "bytes/resp")
}

// BenchmarkConferenceICS: /ical/conference.ics of the demo (about 2 MB)
// per request, unconditional and with If-None-Match (304).
func BenchmarkConferenceICS(b *testing.B) {
	_, srv, _ := newAuthApp(b)
	url := srv.URL + "/ical/conference.ics"
	b.Run("full", func(b *testing.B) { benchGet(b, url) })
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if tag := resp.Header.Get("ETag"); tag != "" {
		b.Run("if-none-match", func(b *testing.B) { benchGet(b, url, "If-None-Match", tag) })
	}
}

// BenchmarkExport: the CSV and c3voc exports per request.
func BenchmarkExport(b *testing.B) {
	_, srv, _ := newAuthApp(b)
	for _, f := range []string{"csv", "c3voc"} {
		b.Run(f, func(b *testing.B) { benchGet(b, srv.URL+"/api/v1/conference/export?format="+f) })
	}
}
