package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"venuehop/internal/clock"
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

// Hub fans reservation events out to Server-Sent Events clients. It is the
// engine's Notifier: seats are coalesced and sent to everyone, offers only
// to their attendee, changes to everyone. A client that does not keep up is
// dropped rather than slowing anyone else.
type Hub struct {
	live  *live.Holder
	clock clock.Clock
	log   *slog.Logger

	mu      sync.Mutex
	clients map[*sseClient]struct{}
	pending map[string]reservation.SeatCount

	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

type sseClient struct {
	user string // "" when not signed in
	ch   chan []byte
}

var _ reservation.Notifier = (*Hub)(nil)

// NewHub starts a hub; Close stops it.
func NewHub(lv *live.Holder, clk clock.Clock, log *slog.Logger) *Hub {
	h := &Hub{live: lv, clock: clk, log: log, clients: map[*sseClient]struct{}{},
		pending: map[string]reservation.SeatCount{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	go h.run()
	return h
}

// Close stops the hub and ends every stream.
func (h *Hub) Close() {
	h.once.Do(func() { close(h.stop) })
	<-h.stopped
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
				close(c.ch)
				delete(h.clients, c)
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
			close(c.ch)
			delete(h.clients, c)
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

func (h *Hub) subscribe(user string) *sseClient {
	c := &sseClient{user: user, ch: make(chan []byte, clientBuffer)}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *Hub) unsubscribe(c *sseClient) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.ch)
	}
	h.mu.Unlock()
}

// events is GET /api/v1/events: the Server-Sent Events stream. Anyone may
// listen to seats and changes; offers go only to their signed-in attendee.
func (a *API) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	user := ""
	if u, ok := httpx.UserFrom(r.Context()); ok {
		user = u.ID
	}
	c := a.Events.subscribe(user)
	defer a.Events.unsubscribe(c)
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
		case m, ok := <-c.ch:
			if !ok {
				return // too slow, or shutting down
			}
			msg = m
		case <-beat.C:
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
