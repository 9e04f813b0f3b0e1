package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"venuehop/internal/agenda"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/reservation"
)

// Seats tells the committed seat counts of a session, lock-free; the
// reservation engine is one.
type Seats interface {
	Seats(sessionID string) (reserved, held int)
}

// maxReservationBody bounds a reservation request: ten ids fit many times.
const maxReservationBody = 16 << 10

// registerReservations adds the attendee's reservations, waitlist and
// offers, the organizer endpoints and the event stream.
func (a *API) registerReservations(mux *http.ServeMux) {
	if a.Reservations == nil {
		return
	}
	mux.HandleFunc("POST /api/v1/me/reservations", a.reserve)
	mux.HandleFunc("GET /api/v1/me/reservations", a.myReservations)
	mux.HandleFunc("DELETE /api/v1/me/reservations/{sessionId}", a.cancelReservation)
	mux.HandleFunc("POST /api/v1/me/waitlist/{sessionId}", a.joinWaitlist)
	mux.HandleFunc("DELETE /api/v1/me/waitlist/{sessionId}", a.leaveWaitlist)
	mux.HandleFunc("GET /api/v1/me/waitlist", a.myWaitlist)
	mux.HandleFunc("GET /api/v1/me/offers", a.myOffers)
	mux.HandleFunc("POST /api/v1/me/offers/{offerId}/accept", a.acceptOffer)
	mux.HandleFunc("POST /api/v1/me/offers/{offerId}/decline", a.declineOffer)
	mux.HandleFunc("GET /api/v1/me/offers/auto-accept", a.autoAccept)
	mux.HandleFunc("PUT /api/v1/me/offers/auto-accept", a.setAutoAccept)

	mux.HandleFunc("PATCH /api/v1/admin/sessions/{id}", a.editSession)
	mux.HandleFunc("POST /api/v1/admin/checkins", a.checkIn)
	mux.HandleFunc("GET /api/v1/admin/occupancy", a.occupancy)
	mux.HandleFunc("POST /api/v1/admin/bulk-attendees", a.bulkAttendees)

	if a.Events != nil {
		mux.HandleFunc("GET /api/v1/events", a.events)
	}
}

// failSeats writes an engine error, with Retry-After when it says how long.
func (a *API) failSeats(w http.ResponseWriter, r *http.Request, err error) {
	if d, ok := reservation.RetryAfter(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
	a.fail(w, r, err)
}

// rushReservations is how many reservation requests in flight make a
// rush: beyond it, answers go without warnings (reading every attendee's
// agenda would halve the seats answered a second), so seats come first.
const rushReservations = 4

func (a *API) reserve(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	busy := a.reserving.Add(1) > rushReservations
	defer a.reserving.Add(-1)
	bp := bodyPool.Get().(*[]byte)
	defer bodyPool.Put(bp)
	body, err := httpx.ReadBody(w, r, maxReservationBody, (*bp)[:0])
	if cap(body) <= maxPooledBody {
		*bp = body
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids, ok := parseSessionIDs(body)
	if !ok {
		// Anything but the plain shape gets the full decoder, its checks
		// and its messages.
		var in struct {
			SessionIDs []string `json:"sessionIds"`
		}
		if err := httpx.DecodeJSONBytes(body, maxReservationBody, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		ids = in.SessionIDs
	}
	ans, err := a.Reservations.Reserve(r.Context(), u.ID, ids, r.Header.Get("Idempotency-Key"))
	if err != nil {
		a.failSeats(w, r, err)
		return
	}
	reply := a.withWarnings(r, u.ID, ans, busy)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(reply)))
	h.Set("Cache-Control", "no-store")
	if ans.Replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(reply)
}

// withWarnings adds to a reservation answer, beside its results, the
// warnings of the seats it holds against the attendee's agenda
// ({"results": [...], "warnings": [...]}). The results are the engine's
// bytes, as an Idempotency-Key replays them; the warnings are of the
// agenda as it is now. Without the planning service, or when the agenda
// cannot be read, the warnings are an empty list; when the server is too
// busy to read it at once (a reservation rush), they are left out and
// "warningsSkipped": true says so: seats come first.
func (a *API) withWarnings(r *http.Request, attendeeID string, ans reservation.Answer, busy bool) []byte {
	var held []string
	for _, res := range ans.Results {
		if res.Status == reservation.Reserved || res.Status == reservation.Already {
			held = append(held, res.SessionID)
		}
	}
	warnings, skipped := []agenda.SeatWarning{}, false
	if a.Plans != nil && len(held) > 0 {
		var ws []agenda.SeatWarning
		var err error
		if !busy {
			ws, err = a.Plans.ReservationWarnings(r.Context(), attendeeID, held)
		}
		switch {
		case busy:
			skipped = true
		case err != nil:
			a.Logger.Warn("api: reservation warnings", "err", err)
		default:
			for i := range ws {
				ws[i].Message = capitalize(ws[i].Message)
			}
			warnings = ws
		}
	}
	extra, _ := json.Marshal(warnings)
	if skipped {
		extra = append(extra, `,"warningsSkipped":true`...)
	}
	body := bytes.TrimRight(ans.Body, "\n")
	if len(body) == 0 || body[len(body)-1] != '}' {
		return ans.Body
	}
	out := make([]byte, 0, len(body)+len(extra)+16)
	out = append(out, body[:len(body)-1]...)
	out = append(out, `,"warnings":`...)
	out = append(out, extra...)
	return append(out, "}\n"...)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// bodyPool recycles the buffers reservation bodies are read into.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledBody keeps a rare big body's buffer out of the pool.
const maxPooledBody = 4 << 10

// parseSessionIDs is the fast path of a reservation body: exactly
// {"sessionIds":["id", ...]} with any JSON whitespace, ids of printable
// ASCII without escapes. It reports false for anything else (escapes,
// other keys, another case of the key, null, trailing data, a syntax
// error...), which the caller hands to encoding/json: on what it accepts
// it gives what encoding/json gives, and it rejects nothing itself.
func parseSessionIDs(b []byte) ([]string, bool) {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	lit := func(s string) bool {
		ws()
		if len(b)-i < len(s) || string(b[i:i+len(s)]) != s {
			return false
		}
		i += len(s)
		return true
	}
	if !lit("{") || !lit(`"sessionIds"`) || !lit(":") || !lit("[") {
		return nil, false
	}
	ids := make([]string, 0, 1)
	ws()
	if i < len(b) && b[i] == ']' {
		i++
	} else {
		for {
			ws()
			if i >= len(b) || b[i] != '"' {
				return nil, false
			}
			i++
			start := i
			for i < len(b) && b[i] != '"' {
				if c := b[i]; c < 0x20 || c >= 0x7f || c == '\\' {
					return nil, false
				}
				i++
			}
			if i >= len(b) {
				return nil, false
			}
			ids = append(ids, string(b[start:i]))
			i++
			ws()
			if i >= len(b) {
				return nil, false
			}
			if b[i] == ']' {
				i++
				break
			}
			if b[i] != ',' {
				return nil, false
			}
			i++
		}
	}
	if !lit("}") {
		return nil, false
	}
	ws()
	if i != len(b) {
		return nil, false
	}
	return ids, true
}

type reservationJSON struct {
	SessionID   string     `json:"sessionId"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"createdAt"`
	CheckedInAt *time.Time `json:"checkedInAt,omitempty"`
}

func (a *API) myReservations(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Reservations.Reservations(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	out := make([]reservationJSON, len(list))
	for i, res := range list {
		out[i] = reservationJSON{SessionID: res.SessionID, Status: string(res.Status), CreatedAt: snap.Local(res.Created)}
		if res.CheckedIn != nil {
			t := snap.Local(*res.CheckedIn)
			out[i].CheckedInAt = &t
		}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"reservations": out})
}

func (a *API) cancelReservation(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Reservations.Cancel(r.Context(), u.ID, r.PathValue("sessionId")); err != nil {
		a.failSeats(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) joinWaitlist(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	id := r.PathValue("sessionId")
	pos, err := a.Reservations.JoinWaitlist(r.Context(), u.ID, id)
	if err != nil {
		a.failSeats(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reservation.WaitPlace{SessionID: id, Position: pos})
}

func (a *API) leaveWaitlist(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Reservations.LeaveWaitlist(r.Context(), u.ID, r.PathValue("sessionId")); err != nil {
		a.failSeats(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) myWaitlist(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Reservations.Waitlist(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"waitlist": list})
}

type offerJSON struct {
	ID        string    `json:"id"`
	SessionID string    `json:"sessionId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (a *API) myOffers(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Reservations.Offers(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	out := make([]offerJSON, len(list))
	for i, o := range list {
		out[i] = offerJSON{ID: o.ID, SessionID: o.SessionID, ExpiresAt: snap.Local(o.ExpiresAt)}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"offers": out})
}

func (a *API) acceptOffer(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	res, err := a.Reservations.Accept(r.Context(), u.ID, r.PathValue("offerId"))
	if err != nil {
		a.failSeats(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, res)
}

func (a *API) declineOffer(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Reservations.Decline(r.Context(), u.ID, r.PathValue("offerId")); err != nil {
		a.failSeats(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type autoAcceptJSON struct {
	Enabled *bool `json:"enabled"`
}

func (a *API) autoAccept(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	on, err := a.Reservations.AutoAccept(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, autoAcceptJSON{&on})
}

func (a *API) setAutoAccept(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in autoAcceptJSON
	if err := httpx.DecodeJSON(w, r, maxReservationBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Enabled == nil {
		a.fail(w, r, errcode.New(errcode.Invalid, "enabled (true or false) is required"))
		return
	}
	if err := a.Reservations.SetAutoAccept(r.Context(), u.ID, *in.Enabled); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, in)
}
