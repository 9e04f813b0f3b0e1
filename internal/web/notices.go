package web

import (
	"net/http"
	"strings"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/notify"
)

// noticePageNames are the notices pages, parsed like pageNames.
var noticePageNames = []string{"notices"}

func (s *Server) registerNotices(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/notices", s.handleNotices)
	mux.HandleFunc("POST /me/notices/read", s.handleNoticesRead)
	mux.HandleFunc("POST /me/notices/preferences", s.handleNoticePrefs)
}

// withUnread fills the header's notices link and its unread count. A
// failure to count shows the link without a count (the page still works).
func (s *Server) withUnread(r *http.Request, lv *layoutView) {
	if s.notices == nil || lv.User == nil {
		return
	}
	lv.Notices = true
	n, err := s.notices.Unread(r.Context(), lv.User.ID)
	if err != nil {
		s.log.Warn("web: counting unread notices", "err", err)
		return
	}
	lv.Unread = n
}

// noticeItem is one notice on the page.
type noticeItem struct {
	ID, Category, Title, Body, URL string
	When, WhenISO                  string
	Unread, Urgent                 bool
}

type noticePref struct {
	Name, Label, Hint string
	On                bool
}

type noticesView struct {
	CSRF    string
	Items   []noticeItem
	Unread  int
	Prefs   []noticePref
	Flash   string
	Problem string
}

var categoryLabels = map[notify.Category][2]string{
	notify.CategoryOffer:     {"Seat offers", "a waitlist seat is held for you"},
	notify.CategoryLeave:     {"Leave now", "when to leave for the next session of your plan"},
	notify.CategoryChange:    {"Changes", "a session in your plan or seats moved or was cancelled"},
	notify.CategoryRecording: {"Recordings", "the recording of a planned session you missed"},
}

func (s *Server) handleNotices(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/notices")
	if !ok {
		return
	}
	list, unread, err := s.notices.List(r.Context(), u.ID)
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	prefs, err := s.notices.Preferences(r.Context(), u.ID)
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	v := noticesView{CSRF: httpx.CSRFToken(r), Unread: unread}
	switch r.URL.Query().Get("done") {
	case "read":
		v.Flash = "Marked as read."
	case "prefs":
		v.Flash = "Your choices are saved."
	}
	for _, k := range list {
		v.Items = append(v.Items, noticeItem{ID: k.ID, Category: string(k.Category), Title: k.Title, Body: k.Body,
			URL: noticeLink(k.URL), When: snap.Local(k.Created).Format("Mon 2 Jan 15:04"), WhenISO: snap.Local(k.Created).Format(time.RFC3339),
			Unread: k.ReadAt.IsZero(), Urgent: k.Urgency == notify.UrgencyHigh})
	}
	for _, c := range notify.Categories {
		l := categoryLabels[c]
		v.Prefs = append(v.Prefs, noticePref{Name: string(c), Label: l[0], Hint: l[1], On: prefs[c]})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "notices", "layout", layoutView{
		Title: "Notices", ConferenceName: snap.Conf.Name, Nav: "notices", Main: v,
	})
}

// handleNoticesRead marks one notice (field id) or all of them read.
func (s *Server) handleNoticesRead(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/notices")
	if !ok {
		return
	}
	var ids []string
	if id := r.PostFormValue("id"); id != "" {
		ids = []string{id}
	}
	if _, err := s.notices.MarkRead(r.Context(), u.ID, ids); err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	http.Redirect(w, r, "/me/notices?done=read", http.StatusSeeOther)
}

// handleNoticePrefs saves the category checkboxes: a category not ticked
// is off.
func (s *Server) handleNoticePrefs(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/notices")
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, snap, errcode.New(errcode.Invalid, "the form could not be read"))
		return
	}
	p := notify.Preferences{}
	for _, c := range notify.Categories {
		p[c] = r.PostForm.Get(string(c)) == "on"
	}
	if _, err := s.notices.SetPreferences(r.Context(), u.ID, p); err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	http.Redirect(w, r, "/me/notices?done=prefs", http.StatusSeeOther)
}

// noticeLink is a notice's URL made safe to link to: a path on this site
// (safeNext), with its fragment kept when it is a plain id.
func noticeLink(u string) string {
	path, frag, _ := strings.Cut(u, "#")
	path = safeNext(path)
	if frag == "" || len(frag) > 100 || strings.Trim(frag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
		return path
	}
	return path + "#" + frag
}
