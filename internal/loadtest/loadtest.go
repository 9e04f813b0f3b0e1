// Package loadtest is the reservation rush: many attendees, prepared in
// bulk, each trying a handful of reservations chosen with realistic
// (Zipf) popularity, all at once, over real HTTP against a running server.
// It measures what docs/api.md says loadtest reports and checks that nothing was
// overbooked.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a run.
type Options struct {
	// Target may also list several nodes on one database, comma-separated:
	// the rush's connections go to them round robin; attendees are
	// prepared through the first, and every node must show the outcome.
	Target      string // base URL of the server, e.g. http://127.0.0.1:8080
	Attendees   int    // default 60,000
	PerAttendee int    // reservations each attendee tries (default 15)
	Batch       int    // session ids per request (default 1)
	Conns       int    // concurrent connections (default 256)
	Ceiling     bool   // also measure a do-nothing handler
	// AdminToken, or AdminEmail and AdminPassword, authenticate the bulk
	// attendee creation and the occupancy check.
	AdminToken    string
	AdminEmail    string
	AdminPassword string
	ServerPIDs    []int  // read the servers' memory from /proc (same machine), summed
	Seed          uint64 // session choice; the same seed, the same rush
	// Flood anonymous GETs of FloodPath (default DefaultFloodPath) over
	// this many connections of their own during the rush: the rush's
	// latency beside a crowd of scrapers. 0: no flood.
	Flood     int
	FloodPath string
	// BaselineDB, when set, is a PostgreSQL URL where the comparison
	// server runs after the rush (baseline.go): one transaction with
	// SELECT … FOR UPDATE per request, on a schema of its own, answering
	// the same requests from the same client.
	BaselineDB string
	Log        io.Writer
}

// Report is the outcome (the loadtest fields of docs/api.md, and a few more).
type Report struct {
	Attendees            int     `json:"attendees"`
	Requests             int     `json:"requests"`
	Conns                int     `json:"conns"`
	Batch                int     `json:"batch"`
	Seconds              float64 `json:"seconds"`
	AnsweredPerSec       float64 `json:"answeredPerSec"`
	Confirmed            int     `json:"confirmed"`
	ConfirmedSeatsPerSec float64 `json:"confirmedSeatsPerSec"`
	// PeakConfirmedPerSec is the most seats confirmed in one second of
	// the run: the rate while popular seats still remain.
	PeakConfirmedPerSec int            `json:"peakConfirmedPerSec"`
	SeatSupply          int            `json:"seatSupply"`
	P50Ms               float64        `json:"p50Ms"`
	P99Ms               float64        `json:"p99Ms"`
	Statuses            map[string]int `json:"statuses"`
	Errors              map[string]int `json:"errors"`
	Overbooked          int            `json:"overbooked"`
	// ReservedDelta is how many more seats the server says are reserved
	// after the run than before; it must equal Confirmed.
	ReservedDelta int     `json:"reservedDelta"`
	ServerRssMB   float64 `json:"serverRssMB"`
	CeilingPerSec float64 `json:"ceilingPerSec,omitempty"`
	Ratio         float64 `json:"ratio,omitempty"`
	// FloodStatuses counts the flood's answers by HTTP status.
	FloodStatuses map[string]int `json:"floodStatuses,omitempty"`
	// The baseline's figures (Options.BaselineDB), and answeredPerSec
	// over its rate.
	BaselinePerSec     float64 `json:"baselinePerSec,omitempty"`
	BaselineP50Ms      float64 `json:"baselineP50Ms,omitempty"`
	BaselineP99Ms      float64 `json:"baselineP99Ms,omitempty"`
	BaselineConfirmed  int     `json:"baselineConfirmed,omitempty"`
	BaselineOverbooked *int    `json:"baselineOverbooked,omitempty"` // set with a baseline, 0 included
	BaselineRatio      float64 `json:"baselineRatio,omitempty"`
}

func (o *Options) defaults() {
	if o.Attendees <= 0 {
		o.Attendees = 60000
	}
	if o.PerAttendee <= 0 {
		o.PerAttendee = 15
	}
	if o.Batch <= 0 {
		o.Batch = 1
	}
	if o.Conns <= 0 {
		o.Conns = 256
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	o.Target = strings.TrimRight(o.Target, "/")
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// Run prepares the attendees, runs the rush and checks the result.
func Run(ctx context.Context, opt Options) (Report, error) {
	opt.defaults()
	rep := Report{Attendees: opt.Attendees, Conns: opt.Conns, Batch: opt.Batch, Statuses: map[string]int{}, Errors: map[string]int{}}
	targets := Targets(opt.Target)
	if len(targets) == 0 {
		return rep, errors.New("no target: give the base URL of a running venuehop serve")
	}
	opt.Target = targets[0] // preparation and the admin calls
	client := newClient(opt.Conns)
	defer client.CloseIdleConnections()
	admin := opt.AdminToken
	if admin == "" {
		var err error
		if admin, err = login(ctx, client, opt.Target, opt.AdminEmail, opt.AdminPassword); err != nil {
			return rep, err
		}
	}
	before, err := occupancy(ctx, client, opt.Target, admin)
	if err != nil {
		return rep, err
	}
	var ids []string
	for _, o := range before {
		if free := o.Capacity - o.Reserved - o.Held; free > 0 {
			rep.SeatSupply += free
		}
		ids = append(ids, o.SessionID)
	}
	if len(ids) == 0 {
		return rep, errors.New("the server has no reservable sessions")
	}
	fmt.Fprintf(opt.Log, "preparing %d attendees...\n", opt.Attendees)
	t0 := time.Now()
	tokens, err := bulkAttendees(ctx, client, opt.Target, admin, opt.Attendees)
	if err != nil {
		return rep, err
	}
	fmt.Fprintf(opt.Log, "prepared %d attendees in %s; %d reservable sessions, %d free seats\n",
		len(tokens), time.Since(t0).Round(time.Millisecond), len(ids), rep.SeatSupply)

	plans := plan(ids, len(tokens), opt.PerAttendee, opt.Batch, opt.Seed)
	urls := make([]string, len(targets))
	for i, t := range targets {
		urls[i] = t + "/api/v1/me/reservations"
	}
	var floodDone func() map[string]int
	stopFlood := make(chan struct{})
	if opt.Flood > 0 {
		if opt.FloodPath == "" {
			opt.FloodPath = DefaultFloodPath
		}
		fmt.Fprintf(opt.Log, "flooding %s over %d connections during the rush...\n", opt.FloodPath, opt.Flood)
		floodDone = flood(ctx, opt.Target, opt.FloodPath, opt.Flood, stopFlood)
	}
	res, err := rush(ctx, urls, tokens, plans, opt.Conns)
	close(stopFlood)
	if floodDone != nil {
		rep.FloodStatuses = floodDone()
	}
	if err != nil {
		return rep, err
	}
	rep.Requests = res.answered
	rep.Seconds = res.elapsed.Seconds()
	rep.AnsweredPerSec = float64(res.answered) / res.elapsed.Seconds()
	rep.Confirmed = res.statuses["reserved"]
	if res.lastConfirm > 0 {
		rep.ConfirmedSeatsPerSec = float64(rep.Confirmed) / res.lastConfirm.Seconds()
	}
	for _, n := range res.perSecond {
		rep.PeakConfirmedPerSec = max(rep.PeakConfirmedPerSec, n)
	}
	rep.P50Ms, rep.P99Ms = percentile(res.latencies, 0.50), percentile(res.latencies, 0.99)
	maps(rep.Statuses, res.statuses)
	maps(rep.Errors, res.errors)

	if err := checkNodes(ctx, client, targets, admin, before, &rep); err != nil {
		return rep, err
	}
	rep.ServerRssMB = serversRSS(ctx, client, targets, opt.ServerPIDs, admin)

	if opt.Ceiling {
		fmt.Fprintf(opt.Log, "measuring the do-nothing ceiling...\n")
		rate, err := ceiling(ctx, opt, plans, tokens)
		if err != nil {
			return rep, err
		}
		rep.CeilingPerSec = rate
		rep.Ratio = rep.AnsweredPerSec / rate
	}
	if opt.BaselineDB != "" {
		fmt.Fprintf(opt.Log, "measuring the per-request locking baseline...\n")
		if err := runBaseline(ctx, opt, client, before, plans, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// runBaseline runs the same rush against the baseline (baseline.go).
func runBaseline(ctx context.Context, opt Options, client *http.Client, before []sessionOccupancy, plans [][][]byte, rep *Report) error {
	sessions, err := targetSessions(ctx, client, opt.Target, before)
	if err != nil {
		return err
	}
	base, tokens, srv, stop, err := startBaseline(ctx, opt.BaselineDB, sessions, len(plans))
	if err != nil {
		return err
	}
	defer stop()
	res, err := rush(ctx, []string{base + "/api/v1/me/reservations"}, tokens, plans, opt.Conns)
	if err != nil {
		return err
	}
	rep.BaselinePerSec = float64(res.answered) / res.elapsed.Seconds()
	rep.BaselineP50Ms, rep.BaselineP99Ms = percentile(res.latencies, 0.50), percentile(res.latencies, 0.99)
	rep.BaselineConfirmed = res.statuses["reserved"]
	over, reserved, err := srv.outcome(ctx)
	if err != nil {
		return err
	}
	if reserved != rep.BaselineConfirmed {
		return fmt.Errorf("the baseline holds %d reservations but confirmed %d", reserved, rep.BaselineConfirmed)
	}
	rep.BaselineOverbooked = &over
	if rep.BaselinePerSec > 0 {
		rep.BaselineRatio = rep.AnsweredPerSec / rep.BaselinePerSec
	}
	return nil
}

// checkNodes reads every node's occupancy after the rush: the seats over
// capacity, and how many more are reserved than before. A node's counts
// of the others' commits may trail by up to a second, so one that
// disagrees is asked again for a few seconds before its numbers are
// reported.
func checkNodes(ctx context.Context, client *http.Client, targets []string, admin string, before []sessionOccupancy, rep *Report) error {
	was := map[string]int{}
	for _, o := range before {
		was[o.SessionID] = o.Reserved
	}
	for i, target := range targets {
		var over, delta int
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			after, err := occupancy(ctx, client, target, admin)
			if err != nil {
				return err
			}
			over, delta = outcome(after, was)
			if len(targets) == 1 || (over == 0 && delta == rep.Confirmed) || time.Now().After(deadline) {
				break
			}
		}
		rep.Overbooked = max(rep.Overbooked, over)
		if i == 0 || delta != rep.Confirmed {
			rep.ReservedDelta = delta
		}
	}
	return nil
}

func maps(dst, src map[string]int) {
	for k, v := range src {
		dst[k] += v
	}
}

// plan picks each attendee's sessions: popularity follows Zipf's law over
// a random ranking of the sessions, no session twice per attendee, cut
// into requests of batch ids, pre-encoded.
func plan(ids []string, attendees, per, batch int, seed uint64) [][][]byte {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rank := slices.Clone(ids)
	rng.Shuffle(len(rank), func(i, j int) { rank[i], rank[j] = rank[j], rank[i] })
	per = min(per, len(rank))
	zipf := rand.NewZipf(rng, 1.1, 8, uint64(len(rank)-1))
	out := make([][][]byte, attendees)
	for a := range out {
		chosen := make([]string, 0, per)
		seen := map[uint64]bool{}
		for len(chosen) < per {
			k := zipf.Uint64()
			if seen[k] {
				continue
			}
			seen[k] = true
			chosen = append(chosen, rank[k])
		}
		for i := 0; i < len(chosen); i += batch {
			body, _ := json.Marshal(map[string][]string{"sessionIds": chosen[i:min(i+batch, len(chosen))]})
			out[a] = append(out[a], body)
		}
	}
	return out
}

type rushResult struct {
	answered    int
	statuses    map[string]int
	errors      map[string]int
	latencies   []time.Duration
	elapsed     time.Duration
	lastConfirm time.Duration // when the last seat was confirmed, from the start
	perSecond   []int         // seats confirmed in each second of the run
}

// rush runs every attendee's requests over conns workers, all starting
// together, each with its own keep-alive connection (httpConn). A worker
// takes the next attendee and sends its requests one after another; it
// retries only when told to (429/503 with Retry-After).
func rush(ctx context.Context, urls []string, tokens []string, plans [][][]byte, conns int) (rushResult, error) {
	workers := make([]*httpConn, conns)
	for w := range workers {
		c, err := newHTTPConn(ctx, urls[w%len(urls)], requestTimeout) // round robin over the nodes
		if err != nil {
			return rushResult{}, err
		}
		workers[w] = c
	}
	next := make(chan int, len(plans))
	for i := range plans {
		next <- i
	}
	close(next)
	results := make([]rushResult, conns)
	start := make(chan struct{})
	var began time.Time
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := workers[w]
			defer hc.close()
			r := &results[w]
			r.statuses, r.errors = map[string]int{}, map[string]int{}
			buf := make([]byte, 0, 4096)
			<-start
			for a := range next {
				auth := "Bearer " + tokens[a]
				for _, body := range plans[a] {
					for attempt := 0; ; attempt++ {
						if ctx.Err() != nil {
							return
						}
						t := time.Now()
						code, retry, out, err := hc.post(auth, body, buf[:0])
						lat := time.Since(t)
						buf = out[:0]
						if err != nil {
							r.errors["network"]++
							time.Sleep(100 * time.Millisecond)
							continue
						}
						if code == http.StatusOK {
							r.answered++
							r.latencies = append(r.latencies, lat)
							n := countStatuses(out, r.statuses)
							if n > 0 {
								at := time.Since(began)
								r.lastConfirm = max(r.lastConfirm, at)
								sec := int(at / time.Second)
								for len(r.perSecond) <= sec {
									r.perSecond = append(r.perSecond, 0)
								}
								r.perSecond[sec] += n
							}
							break
						}
						r.errors[strconv.Itoa(code)]++
						if (code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable) && attempt < 20 {
							time.Sleep(retry)
							continue
						}
						break
					}
				}
			}
		}()
	}
	began = time.Now()
	close(start)
	wg.Wait()
	total := rushResult{statuses: map[string]int{}, errors: map[string]int{}, elapsed: time.Since(began)}
	for _, r := range results {
		total.answered += r.answered
		total.latencies = append(total.latencies, r.latencies...)
		maps(total.statuses, r.statuses)
		maps(total.errors, r.errors)
		total.lastConfirm = max(total.lastConfirm, r.lastConfirm)
		for len(total.perSecond) < len(r.perSecond) {
			total.perSecond = append(total.perSecond, 0)
		}
		for i, n := range r.perSecond {
			total.perSecond[i] += n
		}
	}
	return total, nil
}

// requestTimeout bounds one rush request, as the admin client's Timeout
// does the others.
const requestTimeout = 60 * time.Second

var statusKey = []byte(`"status":"`)

// countStatuses tallies the per-session statuses of a reservation answer
// without a full JSON decode (the client shares the machine with the
// server) and returns how many were reserved.
func countStatuses(body []byte, into map[string]int) int {
	reserved := 0
	for {
		i := bytes.Index(body, statusKey)
		if i < 0 {
			return reserved
		}
		body = body[i+len(statusKey):]
		j := bytes.IndexByte(body, '"')
		if j < 0 {
			return reserved
		}
		s := string(body[:j])
		into[s]++
		if s == "reserved" {
			reserved++
		}
		body = body[j:]
	}
}

func percentile(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	i := int(float64(len(lat)-1) * p)
	return float64(lat[i].Microseconds()) / 1000
}

func doJSON(ctx context.Context, client *http.Client, method, url, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error struct{ Message string } }
		json.Unmarshal(data, &e)
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, e.Error.Message)
	}
	return json.Unmarshal(data, out)
}

func login(ctx context.Context, client *http.Client, base, email, password string) (string, error) {
	if email == "" || password == "" {
		return "", errors.New("no admin credentials: pass --admin-email and --admin-password, or set VENUEHOP_ADMIN_TOKEN")
	}
	var out struct{ Token string }
	err := doJSON(ctx, client, http.MethodPost, base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &out)
	return out.Token, err
}

type sessionOccupancy struct {
	SessionID string `json:"sessionId"`
	Capacity  int    `json:"capacity"`
	Reserved  int    `json:"reserved"`
	Held      int    `json:"held"`
}

func occupancy(ctx context.Context, client *http.Client, base, token string) ([]sessionOccupancy, error) {
	var out struct{ Sessions []sessionOccupancy }
	err := doJSON(ctx, client, http.MethodGet, base+"/api/v1/admin/occupancy", token, nil, &out)
	return out.Sessions, err
}

// bulkChunk is how many attendees one bulk request creates.
const bulkChunk = 10000

func bulkAttendees(ctx context.Context, client *http.Client, base, token string, n int) ([]string, error) {
	tokens := make([]string, 0, n)
	for len(tokens) < n {
		var out struct{ Attendees []struct{ Token string } }
		if err := doJSON(ctx, client, http.MethodPost, base+"/api/v1/admin/bulk-attendees", token,
			map[string]int{"count": min(bulkChunk, n-len(tokens))}, &out); err != nil {
			return nil, err
		}
		for _, a := range out.Attendees {
			tokens = append(tokens, a.Token)
		}
	}
	return tokens, nil
}

// outcome is how many seats a node's occupancy shows above capacity, and
// how many more it shows reserved than was before the rush.
func outcome(after []sessionOccupancy, was map[string]int) (overbooked, delta int) {
	for _, o := range after {
		if o.Reserved > o.Capacity {
			overbooked += o.Reserved - o.Capacity
		}
		delta += o.Reserved - was[o.SessionID]
	}
	return overbooked, delta
}

// Targets splits a comma-separated list of base URLs.
func Targets(list string) []string {
	var out []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimRight(strings.TrimSpace(t), "/"); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// serversRSS sums the nodes' memory: each pid's peak from /proc when pids
// are given (the i-th paired with the i-th target, whose /metrics is the
// fallback), else every target's current RSS from /metrics, which the
// admin token opens.
func serversRSS(ctx context.Context, client *http.Client, targets []string, pids []int, admin string) float64 {
	sum := 0.0
	if len(pids) == 0 {
		for _, t := range targets {
			sum += serverRSS(ctx, client, t, 0, admin)
		}
		return sum
	}
	for i, pid := range pids {
		sum += serverRSS(ctx, client, targets[min(i, len(targets)-1)], pid, admin)
	}
	return sum
}

// serverRSS is the server's peak resident memory: from /proc when its pid
// is known (same machine), else its current RSS from /metrics.
func serverRSS(ctx context.Context, client *http.Client, base string, pid int, admin string) float64 {
	if pid > 0 {
		if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if kb, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
					v, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 64)
					return v / 1024
				}
			}
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f / (1 << 20)
		}
	}
	return 0
}

// ceiling runs the same client against an in-process handler that reads
// the request and answers a fixed reservation result: what this machine
// can do over HTTP with no work behind it.
func ceiling(ctx context.Context, opt Options, plans [][][]byte, tokens []string) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	answer := []byte(`{"results":[{"sessionId":"x","status":"full"}]}` + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		w.Write(answer)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	res, err := rush(ctx, []string{"http://" + ln.Addr().String() + "/api/v1/me/reservations"}, tokens, plans, opt.Conns)
	if err != nil {
		return 0, err
	}
	if res.answered == 0 {
		return 0, errors.New("the do-nothing handler answered nothing")
	}
	return float64(res.answered) / res.elapsed.Seconds(), nil
}
