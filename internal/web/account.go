package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
)

// accountPageNames are the account pages, parsed like pageNames.
var accountPageNames = []string{"signin", "signup", "favorites", "blocks"}

// registerAccounts adds sign-in/up/out, the star forms, and the attendee's
// favourites and blocks pages. Every POST here is CSRF-checked by
// httpx.Authenticate before it arrives.
func (s *Server) registerAccounts(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", s.handleSigninForm)
	mux.HandleFunc("POST /signin", s.handleSignin)
	mux.HandleFunc("GET /signup", s.handleSignupForm)
	mux.HandleFunc("POST /signup", s.handleSignup)
	mux.HandleFunc("POST /signout", s.handleSignout)
	mux.HandleFunc("GET /me/favorites", s.handleFavorites)
	mux.HandleFunc("POST /me/favorites/{id}", s.handleStar)
	mux.HandleFunc("GET /me/blocks", s.handleBlocks)
	mux.HandleFunc("POST /me/blocks", s.handleAddBlock)
	mux.HandleFunc("POST /me/blocks/{id}/delete", s.handleDeleteBlock)
}

// withAccount fills the layout's signed-in user and CSRF token.
func (s *Server) withAccount(w http.ResponseWriter, r *http.Request, lv *layoutView) {
	lv.User, _ = httpx.UserFrom(r.Context())
	if lv.User != nil {
		lv.CSRF = httpx.CSRFToken(r)
		s.withUnread(r, lv) // notices.go
	}
	// The header differs per visitor.
	w.Header().Add("Vary", "Cookie")
}

func (s *Server) snapshot(w http.ResponseWriter, r *http.Request) (*conference.Snapshot, bool) {
	ix, ok := s.index(w, r)
	if !ok {
		return nil, false
	}
	return ix.Snapshot(), true
}

// signedIn returns the user, or redirects to the sign-in page and returns
// false.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, back string) (*account.User, bool) {
	if u, ok := httpx.UserFrom(r.Context()); ok {
		return u, true
	}
	http.Redirect(w, r, "/signin?next="+url.QueryEscape(safeNext(back)), http.StatusSeeOther)
	return nil, false
}

// signedInPage is the start of every page that needs a signed-in user: the
// current snapshot (or a 503 page) and the user (or a redirect to sign in,
// coming back to back).
func (s *Server) signedInPage(w http.ResponseWriter, r *http.Request, back string) (*conference.Snapshot, *account.User, bool) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return nil, nil, false
	}
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return nil, nil, false
	}
	return snap, u, true
}

// authView is the sign-in and sign-up forms.
type authView struct {
	CSRF, Next  string
	Email, Name string
	Code        string
	// Registered is sign-up for registered attendees only: the form asks
	// for the code of the invitation.
	Registered bool
	Errors     map[string]string // by field: email, password, name, code
	Error      string            // not about one field
}

func (s *Server) handleSigninForm(w http.ResponseWriter, r *http.Request) {
	s.authForm(w, r, "signin", http.StatusOK, authView{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) handleSignupForm(w http.ResponseWriter, r *http.Request) {
	s.authForm(w, r, "signup", http.StatusOK, authView{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) authForm(w http.ResponseWriter, r *http.Request, page string, status int, v authView) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	if _, signed := httpx.UserFrom(r.Context()); signed && r.Method == http.MethodGet {
		http.Redirect(w, r, v.Next, http.StatusSeeOther)
		return
	}
	v.CSRF = httpx.EnsureCSRF(w, r)
	title := "Sign in"
	if page == "signup" {
		title = "Create an account"
		if mode, err := s.accounts.SignupMode(r.Context()); err == nil {
			v.Registered = mode == account.RegisteredOnly
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, page, "layout", layoutView{Title: title, ConferenceName: snap.Conf.Name, Nav: page, Main: v})
}

// formError turns a service error into the form's messages and status.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error, v *authView) int {
	var ce *errcode.Error
	if !errors.As(err, &ce) || ce.Code == errcode.Internal {
		s.log.Error("web: account form", "path", r.URL.Path, "err", err)
		v.Error = "Something went wrong on our side. Please try again."
		return http.StatusInternalServerError
	}
	setRetryAfter(w, err)
	msg := strings.ToUpper(ce.Message[:1]) + ce.Message[1:] + "."
	if f := account.FieldOf(err); f != "" {
		v.Errors = map[string]string{f: msg}
	} else {
		v.Error = msg
	}
	return httpx.Status(err)
}

func (s *Server) handleSignin(w http.ResponseWriter, r *http.Request) {
	v := authView{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	res, err := s.accounts.SignIn(r.Context(), account.SignIn{
		Email: v.Email, Password: r.PostFormValue("password"), IP: httpx.ClientIP(r),
		Device: httpx.DeviceCookieValue(r), WantDevice: true,
	}, account.SessionToken)
	if err != nil {
		status := s.formError(w, r, err, &v)
		s.authForm(w, r, "signin", status, v)
		return
	}
	httpx.SetSessionCookie(w, r, res.Token, s.accounts.SessionTTL())
	if res.Device != "" {
		httpx.SetDeviceCookie(w, r, res.Device)
	}
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	v := authView{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Code: r.PostFormValue("code"), Next: safeNext(r.PostFormValue("next"))}
	u, tok, err := s.accounts.Register(r.Context(), account.SignUp{
		Email: v.Email, Password: r.PostFormValue("password"), Name: v.Name, Code: v.Code, IP: httpx.ClientIP(r),
	}, account.SessionToken)
	if err != nil {
		status := s.formError(w, r, err, &v)
		s.authForm(w, r, "signup", status, v)
		return
	}
	s.log.Info("account: signed up", "user", u.ID)
	httpx.SetSessionCookie(w, r, tok, s.accounts.SessionTTL())
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) handleSignout(w http.ResponseWriter, r *http.Request) {
	if _, ok := httpx.UserFrom(r.Context()); ok {
		tok, _ := httpx.PresentedToken(r)
		if err := s.accounts.Logout(r.Context(), tok); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	httpx.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// starView is the star-and-priority control of one session.
type starView struct {
	SessionID, Title string
	Group, UserID    string // for favsync.js
	Priority         string // "" = not starred
	SignedIn         bool
	CSRF, Back       string
}

// stars returns a function making each session's star control for this
// request: one favourites read per page, not per session.
func (s *Server) stars(r *http.Request, back string) func(se *conference.Session) *starView {
	u, ok := httpx.UserFrom(r.Context())
	if !ok || s.accounts == nil {
		return func(se *conference.Session) *starView {
			return &starView{SessionID: se.ID, Title: se.Title, Back: back}
		}
	}
	prios, err := s.accounts.FavoritePriorities(r.Context(), u.ID)
	if err != nil {
		// The page is still useful without stars marked.
		s.log.Warn("web: reading favourites", "err", err)
	}
	csrf := httpx.CSRFToken(r)
	return func(se *conference.Session) *starView {
		return &starView{SessionID: se.ID, Title: se.Title, Group: se.Group(), UserID: u.ID, Priority: string(prios[se.Group()]), SignedIn: true, CSRF: csrf, Back: back}
	}
}

// addStars gives every catalog result its star control.
func (s *Server) addStars(r *http.Request, sessions []*conference.Session, items []sessionItem) {
	q := r.URL.Query()
	q.Del("partial")
	back := "/"
	if enc := q.Encode(); enc != "" {
		back += "?" + enc
	}
	star := s.stars(r, back)
	for i, se := range sessions {
		items[i].Star = star(se)
	}
}

// addStar gives the session page its star control.
func (s *Server) addStar(r *http.Request, se *conference.Session, v *sessionView) {
	v.Star = s.stars(r, "/sessions/"+url.PathEscape(se.ID))(se)
}

// handleStar sets, changes or removes a favourite from a star form. With
// JavaScript the form is sent by fetch (Accept: text/html-fragment) and the
// answer is the updated control; without, it redirects back.
func (s *Server) handleStar(w http.ResponseWriter, r *http.Request) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	back := safeNext(r.PostFormValue("back"))
	u, ok := s.signedIn(w, r, back)
	if !ok {
		return
	}
	id := r.PathValue("id")
	se, found := snap.Session(id)
	if !found {
		s.renderError(w, r, snap.Conf.Name, http.StatusNotFound, "There is no session with that id. It may have been removed from the catalog.")
		return
	}
	var err error
	if r.PostFormValue("op") == "remove" {
		err = s.accounts.RemoveFavorite(r.Context(), snap, u.ID, id)
	} else {
		var p account.Priority
		if p, err = account.ParsePriority(r.PostFormValue("priority")); err == nil {
			_, err = s.accounts.SetFavorite(r.Context(), snap, u.ID, id, p)
		}
	}
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	if r.Header.Get("Accept") == "text/html-fragment" {
		star := s.stars(r, back)(se)
		s.render(w, r, http.StatusOK, "session", "star", star)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// pageError renders a coded error as an error page with its status.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, snap *conference.Snapshot, err error) {
	var ce *errcode.Error
	if !errors.As(err, &ce) || ce.Code == errcode.Internal {
		s.serverError(w, r, err)
		return
	}
	setRetryAfter(w, err)
	s.renderError(w, r, snap.Conf.Name, httpx.Status(err), strings.ToUpper(ce.Message[:1])+ce.Message[1:]+".")
}

// favoritesView is /me/favorites: the favourites by day.
type favoritesView struct {
	Days  []favoriteDay
	Count int
	Other []favoriteItem // unscheduled or no longer in the catalog
}

type favoriteDay struct {
	Label string
	Items []favoriteItem
}

type favoriteItem struct {
	sessionItem
	Priority string
	Sittings int
}

func (s *Server) handleFavorites(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/favorites")
	if !ok {
		return
	}
	list, err := s.accounts.Favorites(r.Context(), snap, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	star := s.stars(r, "/me/favorites")
	var v favoritesView
	for _, f := range list {
		se, ok := snap.Session(f.SessionID)
		if !ok {
			continue
		}
		it := favoriteItem{sessionItem: newSessionItem(snap, se), Priority: string(f.Priority), Sittings: len(f.Sittings)}
		it.Star = star(se)
		v.Count++
		if se.Start.IsZero() {
			v.Other = append(v.Other, it)
			continue
		}
		label := snap.Local(se.Start).Format("Monday 2 January")
		if n := len(v.Days); n == 0 || v.Days[n-1].Label != label {
			v.Days = append(v.Days, favoriteDay{Label: label})
		}
		d := &v.Days[len(v.Days)-1]
		d.Items = append(d.Items, it)
	}
	s.render(w, r, http.StatusOK, "favorites", "layout", layoutView{
		Title: "My favourites", ConferenceName: snap.Conf.Name, Nav: "favorites", Main: v,
	})
}

// blocksView is /me/blocks: the attendee's blocks and the form to add one.
type blocksView struct {
	Blocks   []blockItem
	CSRF     string
	Form     account.BlockInput
	Errors   map[string]string
	Error    string
	Venues   []vocabValue
	Min, Max string // the datetime-local bounds
	Full     bool
}

type blockItem struct {
	ID, Title, When, Venue string
}

func (s *Server) handleBlocks(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/blocks")
	if !ok {
		return
	}
	s.renderBlocks(w, r, snap, u, http.StatusOK, blocksView{})
}

func (s *Server) renderBlocks(w http.ResponseWriter, r *http.Request, snap *conference.Snapshot, u *account.User, status int, v blocksView) {
	list, err := s.accounts.Blocks(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, b := range list {
		it := blockItem{ID: b.ID, Title: b.Title, When: timeRange(snap, b.Start, b.End)}
		if venue, ok := snap.Venue(b.VenueID); ok {
			it.Venue = venue.Name
		}
		v.Blocks = append(v.Blocks, it)
	}
	v.Full = len(list) >= account.MaxBlocksPerUser
	v.CSRF = httpx.CSRFToken(r)
	for _, venue := range snap.Conf.Venues {
		v.Venues = append(v.Venues, vocabValue{venue.ID, venue.Name})
	}
	if lo, hi, ok := account.BlockWindow(snap); ok {
		v.Min = snap.Local(lo).Format("2006-01-02T15:04")
		v.Max = snap.Local(hi.Add(-time.Minute)).Format("2006-01-02T15:04")
	}
	if v.Form.Start == "" && len(snap.Conf.Days) > 0 {
		// A helpful default: lunch on the first day.
		v.Form.Start = snap.Conf.Days[0] + "T12:00"
		v.Form.End = snap.Conf.Days[0] + "T13:00"
	}
	s.render(w, r, status, "blocks", "layout", layoutView{
		Title: "My blocks", ConferenceName: snap.Conf.Name, Nav: "blocks", Main: v,
	})
}

func (s *Server) handleAddBlock(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/blocks")
	if !ok {
		return
	}
	in := account.BlockInput{
		Title: r.PostFormValue("title"), Start: r.PostFormValue("start"),
		End: r.PostFormValue("end"), VenueID: r.PostFormValue("venueId"),
	}
	if _, err := s.accounts.AddBlock(r.Context(), snap, u.ID, in); err != nil {
		v := blocksView{Form: in}
		var av authView
		status := s.formError(w, r, err, &av)
		v.Errors, v.Error = av.Errors, av.Error
		s.renderBlocks(w, r, snap, u, status, v)
		return
	}
	http.Redirect(w, r, "/me/blocks", http.StatusSeeOther)
}

func (s *Server) handleDeleteBlock(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/blocks")
	if !ok {
		return
	}
	if err := s.accounts.DeleteBlock(r.Context(), u.ID, r.PathValue("id")); err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	http.Redirect(w, r, "/me/blocks", http.StatusSeeOther)
}
