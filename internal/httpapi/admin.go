package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/reservation"
)

// BulkAccounts stores many password-less attendees and their API tokens in
// one transaction: the load test's way in, which skips password hashing.
type BulkAccounts interface {
	BulkAttendees(ctx context.Context, users []account.User, tokens []account.Token) error
}

// maxAdminBody bounds organizer request bodies (not imports).
const maxAdminBody = 64 << 10

// maxBulkAttendees is the most attendees one bulk request creates.
const maxBulkAttendees = 20000

type sessionEditJSON struct {
	RoomID       *string `json:"roomId"`
	Start        *string `json:"start"`
	End          *string `json:"end"`
	Capacity     *int    `json:"capacity"`
	Cancelled    *bool   `json:"cancelled"`
	RecordingURL *string `json:"recordingUrl"`
}

func (a *API) editSession(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrganizer(w, r); !ok {
		return
	}
	var in sessionEditJSON
	if err := httpx.DecodeJSON(w, r, maxAdminBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	loc := a.Live.Load().Snap.Loc
	edit := reservation.SessionEdit{RoomID: in.RoomID, Capacity: in.Capacity, Cancelled: in.Cancelled, RecordingURL: in.RecordingURL}
	for _, f := range []struct {
		name string
		in   *string
		out  **time.Time
	}{{"start", in.Start, &edit.Start}, {"end", in.End, &edit.End}} {
		if f.in == nil {
			continue
		}
		t, err := account.ParseLocalTime(*f.in, loc)
		if err != nil {
			a.fail(w, r, errcode.New(errcode.Invalid, "%s: %s", f.name, err.Error()))
			return
		}
		*f.out = &t
	}
	if in.RecordingURL != nil && !conference.ValidRecordingURL(*in.RecordingURL) {
		err := errcode.New(errcode.Invalid, "recordingUrl must be an http:// or https:// address of at most %d characters (or empty for none)", conference.MaxURLLen)
		err.Unprocessable = true
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	rep, err := a.Reservations.EditSession(r.Context(), id, edit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	se, _ := snap.Session(id)
	a.Logger.Info("organizer: session edited", "session", id, "rev", rep.Rev, "changes", len(rep.Changes))
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"session": sessionJSON(snap, se, a.Clock.Now(), a.Seats), "report": rep})
}

func (a *API) checkIn(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrganizer(w, r); !ok {
		return
	}
	var in struct {
		SessionID  string `json:"sessionId"`
		AttendeeID string `json:"attendeeId"`
	}
	if err := httpx.DecodeJSON(w, r, maxAdminBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.SessionID == "" {
		a.fail(w, r, errcode.New(errcode.Invalid, "sessionId is required"))
		return
	}
	// Only an attendee with an account can be checked in: a badge scan of
	// someone unknown is a mistake to show, not a row to keep.
	if in.AttendeeID != "" && a.Accounts != nil {
		if _, err := a.Accounts.Store().UserByID(r.Context(), in.AttendeeID); err != nil {
			if errcode.Is(err, errcode.NotFound) {
				err = errcode.New(errcode.NotFound, "no attendee with the id %q", in.AttendeeID)
			}
			a.fail(w, r, err)
			return
		}
	}
	c, err := a.Reservations.CheckIn(r.Context(), in.SessionID, in.AttendeeID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if c.Already {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, c)
}

func (a *API) occupancy(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrganizer(w, r); !ok {
		return
	}
	day := r.URL.Query().Get("day")
	if day != "" && !slices.Contains(a.Live.Load().Snap.Conf.Days, day) {
		err := errcode.New(errcode.Invalid, "day %q is not a conference day (YYYY-MM-DD; see GET /api/v1/conference)", day)
		err.Unprocessable = true
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"day": day, "sessions": a.Reservations.Occupancy(day)})
}

type bulkAttendeeJSON struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// bulkAttendees creates password-less attendees with API tokens valid for a
// day, for load tests. Admin only.
func (a *API) bulkAttendees(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireOrganizer(w, r)
	if !ok {
		return
	}
	if u.Role != account.Admin {
		a.fail(w, r, errcode.New(errcode.Forbidden, "creating attendees in bulk needs the admin role"))
		return
	}
	if a.Bulk == nil || a.Accounts == nil {
		a.fail(w, r, errcode.New(errcode.Unavailable, "this store cannot create attendees in bulk"))
		return
	}
	var in struct {
		Count int `json:"count"`
	}
	if err := httpx.DecodeJSON(w, r, maxAdminBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Count < 1 || in.Count > maxBulkAttendees {
		err := errcode.New(errcode.Invalid, "count must be 1 to %d", maxBulkAttendees)
		err.Unprocessable = true
		a.fail(w, r, err)
		return
	}
	now := time.Now().UTC()
	batch := now.UnixNano()
	users := make([]account.User, in.Count)
	tokens := make([]account.Token, in.Count)
	out := make([]bulkAttendeeJSON, in.Count)
	for i := range users {
		nu, err := a.Accounts.NewUser(fmt.Sprintf("load-%d-%d@loadtest.venuehop.test", batch, i), fmt.Sprintf("Load %d", i), account.Attendee)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		tok, h := account.NewToken()
		users[i] = nu
		tokens[i] = account.Token{Hash: h, UserID: nu.ID, Kind: account.APIToken, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		out[i] = bulkAttendeeJSON{ID: nu.ID, Token: tok}
	}
	if err := a.Bulk.BulkAttendees(r.Context(), users, tokens); err != nil {
		a.fail(w, r, err)
		return
	}
	a.Logger.Info("admin: attendees created in bulk", "count", in.Count, "by", u.ID)
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"attendees": out})
}
