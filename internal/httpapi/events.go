package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/clock"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
)

const (
	// flushEvery coalesces seat counts: a session's count is sent at most
	// once per interval however many seats change in it, well within the
	// "≤ 1 s after a reservation elsewhere" promise.
	flushEvery = 200 * time.Millisecond
	// heartbeatEvery keeps proxies from closing an idle stream.
	heartbeatEvery = 15 * time.Second
	// clientBuffer is how many flushes a client may lag behind before it
	// is dropped (it reconnects and the page reloads its counts).
	clientBuffer = 32
)

// StreamLimits bound the streams a hub admits, so that streams cannot use
// up the descriptors and memory ordinary requests need.
type StreamLimits struct {
	Max         int // in total
	PerAttendee int // of one signed-in attendee
	PerAddress  int // anonymous ones from one client address (or IPv6 /64)
	// AnonymousMaxAge ends an anonymous stream after this long; the
	// browser reconnects (and is admitted again if there is room).
	AnonymousMaxAge time.Duration
}

// DefaultStreamLimits are the limits of a hub nobody configured.
var DefaultStreamLimits = StreamLimits{Max: 1000, PerAttendee: 4, PerAddress: 8, AnonymousMaxAge: 10 * time.Minute}

// streamRetry is the Retry-After of a refused stream: about when one may
// have ended.
const streamRetry = 30 * time.Second

// Hub fans reservation events out to Server-Sent Events clients. It is the
// engine's Notifier: seats are coalesced and sent to everyone, offers only
// to their attendee, changes to everyone. A client that does not keep up is
// dropped rather than slowing anyone else. It admits streams within its
// StreamLimits and ends those of a token that is signed out.
type Hub struct {
	live  *live.Holder
	clock clock.Clock
	log   *slog.Logger

	mu      sync.Mutex
	limits  StreamLimits
	clients map[*sseClient]struct{}
	byUser  map[string]int // open streams per signed-in attendee
	byAddr  map[string]int // open anonymous streams per address key
	pending map[string]reservation.SeatCount

	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

type sseClient struct {
	user  string            // "" when not signed in
	token account.TokenHash // the token it was opened with (signed in)
	addr  string            // address key (anonymous)
	ch    chan []byte
}

var _ reservation.Notifier = (*Hub)(nil)

// NewHub starts a hub; Close stops it.
func NewHub(lv *live.Holder, clk clock.Clock, log *slog.Logger) *Hub {
	h := &Hub{live: lv, clock: clk, log: log, limits: DefaultStreamLimits, clients: map[*sseClient]struct{}{},
		byUser: map[string]int{}, byAddr: map[string]int{},
		pending: map[string]reservation.SeatCount{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	go h.run()
	return h
}

// Close stops the hub and ends every stream.
func (h *Hub) Close() {
	h.once.Do(func() { close(h.stop) })
	<-h.stopped
}

// SetLimits changes the limits for streams opened from now on.
func (h *Hub) SetLimits(l StreamLimits) {
	h.mu.Lock()
	h.limits = l
	h.mu.Unlock()
}

// Limits returns the limits in force.
func (h *Hub) Limits() StreamLimits {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.limits
}

// Clients is the number of connected streams.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func (h *Hub) run() {
	defer close(h.stopped)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			h.mu.Lock()
			for c := range h.clients {
				h.dropLocked(c)
			}
			h.mu.Unlock()
			return
		case <-t.C:
			h.flush()
		}
	}
}

type seatsEvent struct {
	SessionID string `json:"sessionId"`
	Reserved  int    `json:"reserved"`
	Held      int    `json:"held"`
	Available int    `json:"available"`
	Band      string `json:"band"`
}

func (h *Hub) flush() {
	h.mu.Lock()
	if len(h.pending) == 0 || len(h.clients) == 0 {
		clear(h.pending)
		h.mu.Unlock()
		return
	}
	counts := make([]reservation.SeatCount, 0, len(h.pending))
	for _, c := range h.pending {
		counts = append(counts, c)
	}
	clear(h.pending)
	h.mu.Unlock()

	sort.Slice(counts, func(i, j int) bool { return counts[i].SessionID < counts[j].SessionID })
	now := h.clock.Now()
	var buf bytes.Buffer
	for _, c := range counts {
		avail := c.Available()
		writeEvent(&buf, "seats", seatsEvent{c.SessionID, c.Reserved, c.Held, avail,
			reservation.Band(c.Capacity, avail, c.Release, now)})
	}
	h.send(buf.Bytes(), "")
}

func writeEvent(buf *bytes.Buffer, name string, v any) {
	data, _ := json.Marshal(v)
	buf.WriteString("event: ")
	buf.WriteString(name)
	buf.WriteString("\ndata: ")
	buf.Write(data)
	buf.WriteString("\n\n")
}

// send queues msg for every client (only user's when user is set). A full
// client is dropped.
func (h *Hub) send(msg []byte, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if user != "" && c.user != user {
			continue
		}
		select {
		case c.ch <- msg:
		default:
			h.dropLocked(c)
		}
	}
}

// dropLocked ends a client's stream and frees its place. h.mu is held.
func (h *Hub) dropLocked(c *sseClient) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	close(c.ch)
	if c.user != "" {
		if h.byUser[c.user]--; h.byUser[c.user] <= 0 {
			delete(h.byUser, c.user)
		}
	} else if h.byAddr[c.addr]--; h.byAddr[c.addr] <= 0 {
		delete(h.byAddr, c.addr)
	}
}

// EndToken ends every stream opened with the token (its sign-out), so
// that they get no more of its attendee's offers.
func (h *Hub) EndToken(t account.TokenHash) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if c.user != "" && c.token == t {
			h.dropLocked(c)
		}
	}
}

// SeatsChanged implements reservation.Notifier.
func (h *Hub) SeatsChanged(counts []reservation.SeatCount) {
	h.mu.Lock()
	if len(h.clients) > 0 {
		for _, c := range counts {
			h.pending[c.SessionID] = c
		}
	}
	h.mu.Unlock()
}

type offerEvent struct {
	OfferID   string    `json:"offerId"`
	SessionID string    `json:"sessionId"`
	ExpiresAt time.Time `json:"expiresAt"`
	State     string    `json:"state"`
}

// OfferMade implements reservation.Notifier.
func (h *Hub) OfferMade(o reservation.Offer) {
	var buf bytes.Buffer
	writeEvent(&buf, "offer", offerEvent{o.ID, o.SessionID, h.live.Load().Snap.Local(o.ExpiresAt), string(o.State)})
	h.send(buf.Bytes(), o.Attendee)
}

// SessionChanged implements reservation.Notifier.
func (h *Hub) SessionChanged(sessionID string, kind reservation.ChangeKind) {
	var buf bytes.Buffer
	writeEvent(&buf, "change", reservation.Change{SessionID: sessionID, Kind: kind})
	h.send(buf.Bytes(), "")
}

// subscribe admits a stream of user (signed in with token) or, when user
// is "", an anonymous one from addr, within the limits: past the
// attendee's or the address's share it is errcode.RateLimited, past the
// total errcode.Unavailable, both with a Retry-After.
func (h *Hub) subscribe(user string, token account.TokenHash, addr string) (*sseClient, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.limits
	switch {
	case user != "" && h.byUser[user] >= l.PerAttendee:
		return nil, errcode.Retry(errcode.RateLimited, streamRetry,
			"you already have %d live update streams open (close a tab or sign out elsewhere)", l.PerAttendee)
	case user == "" && h.byAddr[addr] >= l.PerAddress:
		return nil, errcode.Retry(errcode.RateLimited, streamRetry,
			"your network already has %d anonymous live update streams open; sign in or close a tab", l.PerAddress)
	case len(h.clients) >= l.Max:
		return nil, errcode.Retry(errcode.Unavailable, streamRetry,
			"the server has as many live update streams open as it can take; the page still works, reload it later for live counts")
	}
	c := &sseClient{user: user, token: token, addr: addr, ch: make(chan []byte, clientBuffer)}
	h.clients[c] = struct{}{}
	if user != "" {
		h.byUser[user]++
	} else {
		h.byAddr[addr]++
	}
	return c, nil
}

func (h *Hub) unsubscribe(c *sseClient) {
	h.mu.Lock()
	h.dropLocked(c)
	h.mu.Unlock()
}

// events is GET /api/v1/events: the Server-Sent Events stream. Anyone may
// listen to seats and changes; offers go only to their signed-in attendee.
// An anonymous stream ends after the hub's AnonymousMaxAge; a signed-in
// one when its token is signed out (here: at once; on another node: at
// the next heartbeat, which checks the token again).
func (a *API) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	user, token := "", ""
	var hash account.TokenHash
	if u, ok := httpx.UserFrom(r.Context()); ok {
		user = u.ID
		token, _ = httpx.PresentedToken(r)
		hash = account.HashToken(token)
	}
	c, err := a.Events.subscribe(user, hash, httpx.AddressKey(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer a.Events.unsubscribe(c)
	var maxAge <-chan time.Time
	if user == "" {
		t := time.NewTimer(a.Events.Limits().AnonymousMaxAge)
		defer t.Stop()
		maxAge = t.C
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// retry tells EventSource how long to wait before reconnecting.
	if _, err := w.Write([]byte("retry: 3000\n: connected\n\n")); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	for {
		var msg []byte
		select {
		case <-r.Context().Done():
			return
		case <-maxAge:
			return
		case m, ok := <-c.ch:
			if !ok {
				return // too slow, signed out, or shutting down
			}
			msg = m
		case <-beat.C:
			if user != "" && a.Accounts != nil {
				// Signed out on another node, or expired: end the stream.
				if u, err := a.Accounts.Authenticate(r.Context(), token); err == nil && u == nil {
					return
				}
			}
			msg = []byte(": ping\n\n")
		}
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := w.Write(msg); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
