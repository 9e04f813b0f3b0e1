package httpapi

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"venuehop/internal/calfeed"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/httpx"
	"venuehop/internal/reservation"
)

type calendarURLJSON struct {
	URL string `json:"url"`
	// Webcal is the same feed as a webcal:// link, which calendar apps
	// open as a subscription.
	Webcal string `json:"webcal"`
}

// feedURL is the absolute address of a feed, on the host the request came
// to.
func feedURL(r *http.Request, secret string) calendarURLJSON {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := calfeed.Path(secret)
	return calendarURLJSON{URL: scheme + "://" + r.Host + path, Webcal: "webcal://" + r.Host + path}
}

// calendarURL is GET /api/v1/me/calendar-url: the attendee's feed URL,
// created on the first call and the same on every later one.
func (a *API) calendarURL(w http.ResponseWriter, r *http.Request) {
	a.issueCalendarURL(w, r, false)
}

// rotateCalendarURL is DELETE /api/v1/me/calendar-url: the current URL
// stops working at once and a new one is returned. (Rotation is not a GET
// parameter, so that no link on another site can revoke a feed.)
func (a *API) rotateCalendarURL(w http.ResponseWriter, r *http.Request) {
	a.issueCalendarURL(w, r, true)
}

func (a *API) issueCalendarURL(w http.ResponseWriter, r *http.Request, rotate bool) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if a.Calendar == nil {
		a.fail(w, r, errcode.New(errcode.Unavailable, "calendar feeds are not available on this server"))
		return
	}
	secret, err := a.Calendar.Secret(r.Context(), u.ID, rotate, a.Clock.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, feedURL(r, secret))
}

// icalFeed is GET /ical/{secret}.ics (an attendee's agenda) and
// GET /ical/conference.ics (every scheduled session, public). Both carry a
// strong ETag and Last-Modified and answer conditional requests with 304;
// the conference feed is built once per revision (published.go).
func (a *API) icalFeed(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, ok := strings.CutSuffix(file, ".ics")
	if !ok {
		a.fail(w, r, errcode.New(errcode.NotFound, "no such calendar: feeds end in .ics"))
		return
	}
	st := a.Live.Load()
	if name == "conference" {
		d, err := a.export(r, st.Snap, formats.FormatICal)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.serve(w, r, "public, max-age=300")
		return
	}
	if a.Calendar == nil || a.Accounts == nil {
		a.fail(w, r, errcode.New(errcode.NotFound, "no such calendar feed"))
		return
	}
	ctx := r.Context()
	userID, err := a.Calendar.User(ctx, name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	events, err := a.feedEvents(r, userID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	// DTSTAMP is the revision's time, not the request's: the same agenda
	// gives the same bytes, so its ETag changes only when it does.
	err = formats.WriteICal(&buf, st.Snap, events,
		formats.ICalOptions{Name: st.Snap.Conf.Name + " – my agenda", Now: a.revisionTime(ctx, st.Snap.Rev), BaseURL: a.baseURL(r)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := newDoc(buf.Bytes(), time.Time{}, icalType)
	d.modified = a.seen.since(userID, d.etag, a.Clock.Now().UTC().Truncate(time.Second))
	// The URL is the credential: keep it out of shared caches.
	w.Header().Set("Referrer-Policy", "no-referrer")
	d.serve(w, r, "private, no-cache")
}

// feedEvents are the entries of an attendee's feed: their plan as My week
// shows it (with ?favorites=1, also the favourites outside it), or without
// the planning service their seats, favourites and blocks.
func (a *API) feedEvents(r *http.Request, userID string) ([]formats.ICalEvent, error) {
	ctx := r.Context()
	st := a.Live.Load()
	release := defaultRelease
	if a.Reservations != nil {
		release = a.Reservations.Config().Release
	}
	favs, err := a.Accounts.Store().Favorites(ctx, userID)
	if err != nil {
		return nil, err
	}
	if a.Plans != nil {
		week, err := a.Plans.Agenda(ctx, userID)
		if err != nil {
			return nil, err
		}
		if r.URL.Query().Get("favorites") != "1" {
			favs = nil
		}
		return calfeed.PlanEvents(st, week.Agenda, week.Priority, release, favs), nil
	}
	ag := calfeed.Agenda{Favorites: favs}
	if a.Reservations != nil {
		if ag.Reservations, err = a.Reservations.Reservations(ctx, userID); err != nil {
			return nil, err
		}
	}
	if ag.Blocks, err = a.Accounts.Blocks(ctx, userID); err != nil {
		return nil, err
	}
	return calfeed.Events(st, ag, release), nil
}

func (a *API) baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

const icalType = "text/calendar; charset=utf-8"

// defaultRelease is the release instant under the default policy (no
// engine: nothing is reserved anyway).
func defaultRelease(s *conference.Session) time.Time {
	return reservation.Config{}.WithDefaults().Release(s)
}
