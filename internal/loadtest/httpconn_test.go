package loadtest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHTTPConn runs the rush's connection against net/http's server: every
// answer shape it must read, the request it must send, keep-alive reuse,
// and a fresh connection after the server closes one.
func TestHTTPConn(t *testing.T) {
	big := strings.Repeat(`{"sessionId":"x","status":"full"},`, 300) // > net/http's 2 KB: chunked
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		code      int
		retry     time.Duration
		body      string
		wantConns int64 // connections after three posts
	}{
		{"small answer, kept alive", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"results":[{"sessionId":"a","status":"reserved"}]}`)
		}, 200, time.Second, `{"results":[{"sessionId":"a","status":"reserved"}]}`, 1},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, big)
		}, 200, time.Second, big, 1},
		{"retry after", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{}}`)
		}, 429, 2 * time.Second, `{"error":{}}`, 1},
		{"connection close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			io.WriteString(w, `ok`)
		}, 200, time.Second, `ok`, 3},
		{"no content", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, 204, time.Second, ``, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/api/v1/me/reservations" || string(b) != `{"sessionIds":["a"]}` ||
					r.ContentLength != int64(len(b)) || r.Header.Get("Authorization") != "Bearer tok" ||
					r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("request %s %s %q %d %v", r.Method, r.URL, b, r.ContentLength, r.Header)
				}
				tt.handler(w, r)
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			hc, err := newHTTPConn(context.Background(), srv.URL+"/api/v1/me/reservations", 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer hc.close()
			for range 3 {
				code, retry, out, err := hc.post("Bearer tok", []byte(`{"sessionIds":["a"]}`), make([]byte, 0, 16))
				if err != nil || code != tt.code || retry != tt.retry || string(out) != tt.body {
					t.Fatalf("post: %d %s %q %v; want %d %s %q", code, retry, out, err, tt.code, tt.retry, tt.body)
				}
			}
			if n := conns.Load(); n != tt.wantConns {
				t.Errorf("%d connections, want %d", n, tt.wantConns)
			}
		})
	}
}

// A connection the server drops is an error once, then the next post
// dials again; a cancelled context stops a post that waits for an answer.
func TestHTTPConnRecovers(t *testing.T) {
	var calls atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 2:
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		case 4:
			<-release
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hc, err := newHTTPConn(ctx, srv.URL+"/x", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.close()
	post := func() error {
		_, _, _, err := hc.post("Bearer t", []byte("{}"), nil)
		return err
	}
	if err := post(); err != nil {
		t.Fatal(err)
	}
	if err := post(); err == nil {
		t.Fatal("a dropped connection gave no error")
	}
	if err := post(); err != nil {
		t.Fatalf("after a dropped connection: %v", err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if err := post(); err != context.Canceled || time.Since(start) > 2*time.Second {
		t.Fatalf("cancelled post: %v after %s", err, time.Since(start))
	}
}
