package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/notify"
)

// maxNoticeBody bounds the notices' request bodies (MaxMark ids).
const maxNoticeBody = 16 << 10

func (a *API) registerNotices(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/me/notices", a.listNotices)
	mux.HandleFunc("POST /api/v1/me/notices/read", a.readNotices)
	mux.HandleFunc("GET /api/v1/me/notices/preferences", a.noticePreferences)
	mux.HandleFunc("PUT /api/v1/me/notices/preferences", a.setNoticePreferences)
}

// NoticeJSON is one notice as the API writes it.
type NoticeJSON struct {
	notify.Notice
	Read   bool       `json:"read"`
	ReadAt *time.Time `json:"readAt,omitempty"`
}

type noticesJSON struct {
	Notices []NoticeJSON `json:"notices"`
	Unread  int          `json:"unread"`
}

// noticesService answers 503 when the server keeps no notices.
func (a *API) noticesService(w http.ResponseWriter, r *http.Request) (*notify.Service, string, bool) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return nil, "", false
	}
	if a.Notices == nil {
		a.fail(w, r, errcode.New(errcode.Unavailable, "notices are not available on this server"))
		return nil, "", false
	}
	return a.Notices, u.ID, true
}

// listNotices is GET /api/v1/me/notices: the attendee's notices, newest
// first, and how many are unread.
func (a *API) listNotices(w http.ResponseWriter, r *http.Request) {
	svc, user, ok := a.noticesService(w, r)
	if !ok {
		return
	}
	list, unread, err := svc.List(r.Context(), user)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	out := noticesJSON{Notices: make([]NoticeJSON, 0, len(list)), Unread: unread}
	for _, k := range list {
		n := NoticeJSON{Notice: k.Notice, Read: !k.ReadAt.IsZero()}
		n.Expires, n.Created = snap.Local(n.Expires), snap.Local(n.Created)
		if n.Read {
			t := snap.Local(k.ReadAt)
			n.ReadAt = &t
		}
		out.Notices = append(out.Notices, n)
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, out)
}

type readNoticesJSON struct {
	IDs []string `json:"ids"`
}

// readNotices is POST /api/v1/me/notices/read: marks the listed notices
// read ({"ids": [...]}) or all of them ({} or no ids).
func (a *API) readNotices(w http.ResponseWriter, r *http.Request) {
	svc, user, ok := a.noticesService(w, r)
	if !ok {
		return
	}
	var in readNoticesJSON
	if err := httpx.DecodeJSON(w, r, maxNoticeBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	unread, err := svc.MarkRead(r.Context(), user, in.IDs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"unread": unread})
}

// noticePreferences is GET /api/v1/me/notices/preferences: per category,
// whether the attendee wants its notices.
func (a *API) noticePreferences(w http.ResponseWriter, r *http.Request) {
	svc, user, ok := a.noticesService(w, r)
	if !ok {
		return
	}
	p, err := svc.Preferences(r.Context(), user)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, p)
}

// setNoticePreferences is PUT /api/v1/me/notices/preferences: the
// categories named are set ({"leave": false}), the others are kept.
func (a *API) setNoticePreferences(w http.ResponseWriter, r *http.Request) {
	svc, user, ok := a.noticesService(w, r)
	if !ok {
		return
	}
	var in notify.Preferences
	if err := httpx.DecodeJSON(w, r, maxNoticeBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := svc.SetPreferences(r.Context(), user, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

type noticeEvent struct {
	ID       string          `json:"id"`
	Category notify.Category `json:"category"`
	Title    string          `json:"title"`
	URL      string          `json:"url"`
	Unread   int             `json:"unread"`
}

// NoticeMade implements notify.Listener: a "notice" event to that
// attendee's streams only, with the unread count for the header badge.
func (h *Hub) NoticeMade(n notify.Notice, unread int) {
	var buf bytes.Buffer
	writeEvent(&buf, "notice", noticeEvent{n.ID, n.Category, n.Title, n.URL, unread})
	h.send(buf.Bytes(), n.AttendeeID)
}

var _ notify.Listener = (*Hub)(nil)
