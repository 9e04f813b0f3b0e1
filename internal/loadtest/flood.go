package loadtest

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// DefaultFloodPath is what the flood asks for: the whole conference as an
// iCalendar feed, the costliest anonymous read.
const DefaultFloodPath = "/ical/conference.ics"

// flood sends anonymous GETs of path to the first target over conns
// connections of its own, as fast as they are answered, until stop is
// closed: a crowd of scrapers beside the rush. It returns the answers by
// status.
func flood(ctx context.Context, base, path string, conns int, stop <-chan struct{}) func() map[string]int {
	client := newClient(conns)
	var (
		mu       sync.Mutex
		statuses = map[string]int{}
		wg       sync.WaitGroup
	)
	for range conns {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
				resp, err := client.Do(req)
				key := "error"
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					key = strconv.Itoa(resp.StatusCode)
				}
				mu.Lock()
				statuses[key]++
				mu.Unlock()
			}
		})
	}
	return func() map[string]int {
		wg.Wait()
		client.CloseIdleConnections()
		return statuses
	}
}
