package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/reservation"
)

// seatPageNames are the seat pages, parsed like pageNames.
var seatPageNames = []string{"reservations"}

// registerSeats adds My seats and the reserve / cancel / waitlist / offer
// forms. They are plain POST forms (CSRF-checked by httpx.Authenticate)
// that redirect back with a flash message; seats.js sends them by fetch
// and swaps the answer in place.
func (s *Server) registerSeats(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/reservations", s.handleMySeats)
	mux.HandleFunc("POST /me/reservations/{id}", s.handleReserve)
	mux.HandleFunc("POST /me/reservations/{id}/cancel", s.handleCancelSeat)
	mux.HandleFunc("POST /me/waitlist/{id}", s.handleJoinWaitlist)
	mux.HandleFunc("POST /me/waitlist/{id}/leave", s.handleLeaveWaitlist)
	mux.HandleFunc("POST /me/offers/{id}/accept", s.handleOfferAction)
	mux.HandleFunc("POST /me/offers/{id}/decline", s.handleOfferAction)
	mux.HandleFunc("POST /me/offers/auto-accept", s.handleAutoAccept)
}

// bandLabels are the words for the seat bands of lists.
var bandLabels = map[string]string{
	"available": "Available",
	"limited":   "Limited",
	"full":      "Full",
	"walkup":    "Walk-up",
}

// seatBox is the seats of one session and the signed-in attendee's
// buttons for it: the session page's box and the catalog card's band.
type seatBox struct {
	SessionID, Title                    string
	Capacity, Reserved, Held, Available int
	Band, BandLabel                     string
	Release                             string // "10:50": when unclaimed seats go to the walk-up line
	OpensAt                             string // reservations are not open yet: when they open

	SignedIn bool
	Mine     string // reserved | waiting | offer | ""
	Position int
	Offer    *offerItem
	CSRF     string
	Token    string // the one-time token: the reservation's Idempotency-Key
	Back     string
	View     string // page | card: which fragment answers a script
	Flash    *flashView
}

// myState is the attendee's seats, read once per page.
type myState struct {
	reserved map[string]bool
	waiting  map[string]int
	offers   map[string]reservation.Offer // by session
}

func (s *Server) myState(ctx context.Context, userID string) (myState, error) {
	st := myState{reserved: map[string]bool{}, waiting: map[string]int{}, offers: map[string]reservation.Offer{}}
	res, err := s.seats.Reservations(ctx, userID)
	if err != nil {
		return st, err
	}
	for _, r := range res {
		if r.Status == reservation.StateActive {
			st.reserved[r.SessionID] = true
		}
	}
	wait, err := s.seats.Waitlist(ctx, userID)
	if err != nil {
		return st, err
	}
	for _, w := range wait {
		st.waiting[w.SessionID] = w.Position
	}
	offers, err := s.seats.Offers(ctx, userID)
	if err != nil {
		return st, err
	}
	for _, o := range offers {
		st.offers[o.SessionID] = o
	}
	return st, nil
}

// oneTimeToken is a fresh form token. It is the Idempotency-Key of the
// reservation the form asks for, so a double submit books once and both
// answers are the first one.
func oneTimeToken() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// seatBoxes returns a function making each session's seat box for this
// request: one read of the attendee's seats per page, not per session.
// It returns nil when the app runs without the reservation engine.
func (s *Server) seatBoxes(r *http.Request, snap *conference.Snapshot, back string, fl *flashView) func(se *conference.Session) *seatBox {
	if s.seats == nil {
		return nil
	}
	u, signed := httpx.UserFrom(r.Context())
	var mine myState
	csrf := ""
	if signed {
		var err error
		if mine, err = s.myState(r.Context(), u.ID); err != nil {
			// The counts are still right without the attendee's marks.
			s.log.Warn("web: reading the attendee's seats", "err", err)
		}
		csrf = httpx.CSRFToken(r)
	}
	now := s.clock.Now()
	open := s.seats.Config().Open
	return func(se *conference.Session) *seatBox {
		if !se.Reservable || se.Cancelled || !se.Scheduled() {
			return nil
		}
		b := &seatBox{SessionID: se.ID, Title: se.Title, SignedIn: signed, CSRF: csrf, Back: back}
		c, ok := s.seats.Count(se.ID)
		if !ok {
			c = reservation.SeatCount{SessionID: se.ID, Capacity: snap.ReservableCapacity(se), Release: s.seats.Config().Release(se)}
		}
		b.Capacity, b.Reserved, b.Held, b.Available = c.Capacity, c.Reserved, c.Held, c.Available()
		b.Band = reservation.Band(c.Capacity, b.Available, c.Release, now)
		b.BandLabel = bandLabels[b.Band]
		b.Release = snap.Local(c.Release).Format("15:04")
		if !open.IsZero() && now.Before(open) {
			b.OpensAt = snap.Local(open).Format("Mon 2 Jan, 15:04")
		}
		if signed {
			b.Token = oneTimeToken()
			switch {
			case mine.reserved[se.ID]:
				b.Mine = "reserved"
			case mine.offers[se.ID].ID != "":
				b.Mine = "offer"
				it := offerItemOf(snap, se, mine.offers[se.ID])
				b.Offer = &it
			case mine.waiting[se.ID] > 0:
				b.Mine, b.Position = "waiting", mine.waiting[se.ID]
			}
		}
		if fl != nil && fl.SessionID == se.ID {
			b.Flash = fl
			fl.Shown = true
		}
		return b
	}
}

// addSeats gives the session page its seat box.
func (s *Server) addSeats(w http.ResponseWriter, r *http.Request, snap *conference.Snapshot, se *conference.Session, v *sessionView) {
	fl := s.takeFlash(w, r, snap)
	if box := s.seatBoxes(r, snap, "/sessions/"+url.PathEscape(se.ID), fl); box != nil {
		if v.Seats = box(se); v.Seats != nil {
			v.Seats.View = "page"
		}
	}
	if fl != nil && !fl.Shown {
		v.Flash = fl
	}
}

// addSeatBands gives every catalog result its seat band. A flash about a
// session not in view is returned for the top of the list.
func (s *Server) addSeatBands(w http.ResponseWriter, r *http.Request, snap *conference.Snapshot, sessions []*conference.Session, items []sessionItem) *flashView {
	var fl *flashView
	if r.URL.Query().Get("partial") != "1" {
		fl = s.takeFlash(w, r, snap)
	}
	q := r.URL.Query()
	q.Del("partial")
	back := "/"
	if enc := q.Encode(); enc != "" {
		back += "?" + enc
	}
	box := s.seatBoxes(r, snap, back, fl)
	if box == nil {
		return fl
	}
	for i, se := range sessions {
		if items[i].Seats = box(se); items[i].Seats != nil {
			items[i].Seats.View = "card"
		}
	}
	if fl != nil && fl.Shown {
		return nil
	}
	return fl
}

// flashView is the answer to a seat form, in words.
type flashView struct {
	SessionID string
	Kind      string // ok | info | warn | bad
	Text      string
	Link      string // optional: a session the text is about
	LinkText  string
	After     string // text after the link
	Shown     bool   // placed in a seat box already
}

// flashCookie carries the flash across the redirect after a form post. It
// holds codes, not text: the words are made when the page is rendered.
const flashCookie = "vh_flash"

// flash is the outcome of a seat action before it is put in words.
type flash struct {
	Code      flashCode
	SessionID string
	Extra     string // conflicting session, position, seconds, unix time
}

// flashCode says what a seat action did: a reservation.Status (statusFlash)
// or one of the action codes below. Codes travel in the flash cookie from a
// form post to the page after its redirect, possibly served by another
// node or a newer version: never rename one (TestFlashCodesNeverChange).
type flashCode string

const (
	flashAccepted     flashCode = "accepted"      // an offer accepted
	flashGaveUp       flashCode = "gave_up"       // a reservation cancelled
	flashNone         flashCode = "none"          // nothing to cancel
	flashReleased     flashCode = "released"      // too late to cancel: walk-up
	flashWaiting      flashCode = "waiting"       // on the waitlist (Extra: position)
	flashLeft         flashCode = "left"          // left the waitlist
	flashNotWaiting   flashCode = "not_waiting"   // was not on the waitlist
	flashHasOffer     flashCode = "has_offer"     // cannot wait: an offer is open
	flashSeatsFree    flashCode = "seats_free"    // cannot wait: reserve instead
	flashDeclined     flashCode = "declined"      // an offer declined
	flashOfferExpired flashCode = "offer_expired" // the offer ran out of time
	flashOfferEnded   flashCode = "offer_ended"   // the offer is no longer open
	flashAutoOn       flashCode = "auto_on"       // offers accepted automatically
	flashAutoOff      flashCode = "auto_off"      // offers wait to be accepted
	flashSlow         flashCode = "slow"          // over the quota (Extra: seconds)
	flashMessage      flashCode = "message"       // Extra is the text itself
)

// statusFlash is the flash of a reservation status.
func statusFlash(s reservation.Status) flashCode { return flashCode(s) }

// encode joins the parts with dots; a dot inside a part (a session id
// may have one) is escaped too, or the cookie would not split back.
func (f flash) encode() string {
	esc := func(v string) string { return strings.ReplaceAll(url.QueryEscape(v), ".", "%2E") }
	return esc(string(f.Code)) + "." + esc(f.SessionID) + "." + esc(f.Extra)
}

func decodeFlash(v string) (flash, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return flash{}, false
	}
	var f flash
	var code string
	var err error
	for i, dst := range []*string{&code, &f.SessionID, &f.Extra} {
		if *dst, err = url.QueryUnescape(parts[i]); err != nil {
			return flash{}, false
		}
	}
	f.Code = flashCode(code)
	return f, f.Code != ""
}

func setFlash(w http.ResponseWriter, r *http.Request, f flash) {
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: f.encode(), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash reads and clears the flash of the last seat form, if any.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, snap *conference.Snapshot) *flashView {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	f, ok := decodeFlash(c.Value)
	if !ok {
		return nil
	}
	v := s.flashWords(snap, f)
	return &v
}

// flashWords says what happened, for people.
func (s *Server) flashWords(snap *conference.Snapshot, f flash) flashView {
	v := flashView{SessionID: f.SessionID, Kind: "info"}
	title := "this session"
	release := ""
	if se, ok := snap.Session(f.SessionID); ok {
		title = "“" + se.Title + "”"
		if s.seats != nil && se.Scheduled() {
			release = snap.Local(s.seats.Config().Release(se)).Format("15:04")
		}
	}
	n, _ := strconv.Atoi(f.Extra)
	switch f.Code {
	case statusFlash(reservation.Reserved), flashAccepted:
		v.Kind = "ok"
		v.Text = "Reserved: your seat in " + title + " is held until " + release + ": check in before then, or it goes to the walk-up line."
		s.warningWords(snap, f.Extra, &v)
	case statusFlash(reservation.Already):
		v.Text = "Already yours: you hold a seat in " + title + " (held until " + release + ")."
		s.warningWords(snap, f.Extra, &v)
	case statusFlash(reservation.Full):
		v.Kind = "warn"
		v.Text = "Full: every seat in " + title + " is taken. Join the waitlist? You get an offer when a seat frees."
	case statusFlash(reservation.Conflict):
		v.Kind = "warn"
		v.Text = "Not reserved: " + title + " conflicts with "
		v.LinkText = "another session"
		if other, ok := snap.Session(f.Extra); ok {
			v.Link, v.LinkText = "/sessions/"+url.PathEscape(other.ID), other.Title
		}
		v.After = ", which you hold at the same time. Cancel that one first."
	case statusFlash(reservation.CapReached):
		v.Kind = "warn"
		cap := 0
		if s.seats != nil {
			cap = s.seats.Config().DailyCap
		}
		v.Text = "Daily cap reached: you already hold " + strconv.Itoa(cap) + " reservations that day."
	case statusFlash(reservation.NotOpen):
		v.Text = "Not yet: reservations open at " + snap.Local(time.Unix(int64(n), 0)).Format("15:04 on Mon 2 Jan") + "."
	case statusFlash(reservation.Closed):
		v.Text = "Closed: reservations for " + title + " ended at " + release + "; the seats went to the walk-up line."
	case statusFlash(reservation.NotReservable):
		v.Text = title + " is walk-up: there are no reservations, just walk in."
	case statusFlash(reservation.Cancelled):
		v.Kind = "bad"
		v.Text = title + " is cancelled."
	case statusFlash(reservation.Unknown):
		v.Kind = "bad"
		v.Text = "There is no such session."
	case flashGaveUp:
		v.Kind = "ok"
		v.Text = "Cancelled: you gave up your seat in " + title + "; it goes to the next on the waitlist."
	case flashNone:
		v.Text = "You hold no seat in " + title + "."
	case flashReleased:
		v.Text = "Your seat in " + title + " went to the walk-up line at " + release + "; there is nothing left to cancel."
	case flashWaiting:
		v.Kind = "ok"
		v.Text = "On the waitlist for " + title + ": you are number " + strconv.Itoa(n) + " in line. A freed seat is offered to you here and on My seats."
	case flashLeft:
		v.Kind = "ok"
		v.Text = "You left the waitlist for " + title + "."
	case flashNotWaiting:
		v.Text = "You are not on the waitlist for " + title + "."
	case flashHasOffer:
		v.Text = "A seat in " + title + " is on offer to you: accept it."
	case flashSeatsFree:
		v.Text = "Seats are free in " + title + ": reserve one instead of waiting."
	case flashDeclined:
		v.Text = "Declined: the seat in " + title + " goes to the next in line."
	case flashOfferExpired:
		v.Kind = "warn"
		v.Text = "Too late: the offer for " + title + " has expired; the seat went to the next in line."
	case flashOfferEnded:
		v.Text = "That offer is no longer open."
	case flashAutoOn:
		v.Kind = "ok"
		v.Text = "Offers are now accepted automatically: a freed seat becomes your reservation at once."
	case flashAutoOff:
		v.Text = "Offers now wait for you to accept them."
	case flashSlow:
		v.Kind = "warn"
		v.Text = "Too many requests: wait " + strconv.Itoa(max(n, 1)) + " s and try again."
	default:
		v.Kind = "bad"
		v.Text = f.Extra
		if v.Text == "" {
			v.Text = "That did not work. Reload the page and try again."
		}
	}
	return v
}

// warningExtra carries a seat warning through the flash: its message and
// the repeat that fits.
func warningExtra(w agenda.SeatWarning) string {
	msg, _, _ := strings.Cut(w.Message, "; the ")
	return "w|" + w.Repeat + "|" + msg
}

// warningWords adds a seat warning carried by the flash to its words.
func (s *Server) warningWords(snap *conference.Snapshot, extra string, v *flashView) {
	rest, ok := strings.CutPrefix(extra, "w|")
	if !ok {
		return
	}
	repeat, msg, _ := strings.Cut(rest, "|")
	v.Kind = "warn"
	v.Text += " Heads up: " + msg + "."
	if alt, ok := snap.Session(repeat); ok {
		v.Text += " "
		v.Link, v.LinkText = "/sessions/"+url.PathEscape(alt.ID), "The "+snap.Local(alt.Start).Format("Mon 15:04")+" repeat"
		v.After = " fits your day."
	}
}

// seatForm is what every seat form posts.
type seatForm struct {
	back  string
	view  string // page | card | me: which fragment answers a script
	token string
}

func readSeatForm(r *http.Request) seatForm {
	f := seatForm{back: safeNext(r.PostFormValue("back")), view: r.PostFormValue("view"), token: r.PostFormValue("token")}
	if len(f.token) > 64 {
		f.token = ""
	}
	return f
}

// seatAction runs one seat form for the signed-in attendee and answers it:
// by script, the updated seat box; without, a redirect back with a flash.
func (s *Server) seatAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error)) {
	snap, ok := s.snapshot(w, r)
	if !ok {
		return
	}
	f := readSeatForm(r)
	u, ok := s.signedIn(w, r, f.back)
	if !ok {
		return
	}
	fl, err := act(r.Context(), u, snap, f)
	if err != nil {
		if d, ok := reservation.RetryAfter(err); ok {
			secs := int(d.Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			fl, err = flash{Code: flashSlow, SessionID: fl.SessionID, Extra: strconv.Itoa(secs)}, nil
		}
	}
	if err != nil {
		s.pageError(w, r, snap, err)
		return
	}
	if r.Header.Get("Accept") == "text/html-fragment" && (f.view == "page" || f.view == "card") {
		if se, ok := snap.Session(fl.SessionID); ok {
			words := s.flashWords(snap, fl)
			if box := s.seatBoxes(r, snap, f.back, &words); box != nil {
				if b := box(se); b != nil {
					b.View = f.view
					tmpl := "seatbox"
					if f.view == "card" {
						tmpl = "seatband"
					}
					s.render(w, r, http.StatusOK, "session", tmpl, b)
					return
				}
			}
		}
	}
	setFlash(w, r, fl)
	back := f.back
	if f.view == "page" || f.view == "card" {
		back += "#seats-" + fl.SessionID
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// sessionFor finds the form's session: unknown ids are a 404 page.
func sessionFor(snap *conference.Snapshot, r *http.Request) (*conference.Session, error) {
	se, ok := snap.Session(r.PathValue("id"))
	if !ok {
		return nil, errcode.New(errcode.NotFound, "there is no session with that id; it may have been removed from the catalog")
	}
	return se, nil
}

func (s *Server) handleReserve(w http.ResponseWriter, r *http.Request) {
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		se, err := sessionFor(snap, r)
		if err != nil {
			return flash{}, err
		}
		key := ""
		if f.token != "" {
			key = "form:" + f.token
		}
		ans, err := s.seats.Reserve(ctx, u.ID, []string{se.ID}, key)
		if err != nil || len(ans.Results) != 1 {
			return flash{SessionID: se.ID}, err
		}
		res := ans.Results[0]
		fl := flash{Code: statusFlash(res.Status), SessionID: se.ID, Extra: res.ConflictWith}
		if res.OpensAt != nil {
			fl.Extra = strconv.FormatInt(res.OpensAt.Unix(), 10)
		}
		if (res.Status == reservation.Reserved || res.Status == reservation.Already) && s.agenda != nil {
			// Heads up when the seat collides with the rest of the day.
			if ws, err := s.agenda.ReservationWarnings(ctx, u.ID, []string{se.ID}); err == nil && len(ws) > 0 {
				fl.Extra = warningExtra(ws[0])
			} else if err != nil {
				s.log.Warn("web: reservation warnings", "err", err)
			}
		}
		return fl, nil
	})
}

func (s *Server) handleCancelSeat(w http.ResponseWriter, r *http.Request) {
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		se, err := sessionFor(snap, r)
		if err != nil {
			return flash{}, err
		}
		err = s.seats.Cancel(ctx, u.ID, se.ID)
		switch {
		case err == nil:
			return flash{Code: flashGaveUp, SessionID: se.ID}, nil
		case errcode.Is(err, errcode.NotFound):
			return flash{Code: flashNone, SessionID: se.ID}, nil
		case errcode.Is(err, errcode.Conflict):
			return flash{Code: flashReleased, SessionID: se.ID}, nil
		}
		return flash{SessionID: se.ID}, err
	})
}

func (s *Server) handleJoinWaitlist(w http.ResponseWriter, r *http.Request) {
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		se, err := sessionFor(snap, r)
		if err != nil {
			return flash{}, err
		}
		pos, err := s.seats.JoinWaitlist(ctx, u.ID, se.ID)
		if err == nil {
			return flash{Code: flashWaiting, SessionID: se.ID, Extra: strconv.Itoa(pos)}, nil
		}
		if !errcode.Is(err, errcode.Conflict) && !errcode.Is(err, errcode.NotFound) {
			return flash{SessionID: se.ID}, err
		}
		// Say why in the page's words rather than the API's.
		return s.whyNotWaiting(ctx, u, snap, se, err), nil
	})
}

// whyNotWaiting explains a refused waitlist join from the current state.
func (s *Server) whyNotWaiting(ctx context.Context, u *account.User, snap *conference.Snapshot, se *conference.Session, err error) flash {
	fl := flash{SessionID: se.ID}
	now := s.clock.Now()
	cfg := s.seats.Config()
	mine, _ := s.myState(ctx, u.ID)
	c, _ := s.seats.Count(se.ID)
	switch {
	case se.Cancelled:
		fl.Code = statusFlash(reservation.Cancelled)
	case !se.Reservable || !se.Scheduled():
		fl.Code = statusFlash(reservation.NotReservable)
	case !cfg.Open.IsZero() && now.Before(cfg.Open):
		fl.Code, fl.Extra = statusFlash(reservation.NotOpen), strconv.FormatInt(cfg.Open.Unix(), 10)
	case !now.Before(cfg.Release(se)):
		fl.Code = statusFlash(reservation.Closed)
	case mine.reserved[se.ID]:
		fl.Code = statusFlash(reservation.Already)
	case mine.offers[se.ID].ID != "":
		fl.Code = flashHasOffer
	case c.Available() > 0:
		fl.Code = flashSeatsFree
	default:
		var ce *errcode.Error
		fl.Code = flashMessage
		if errors.As(err, &ce) {
			fl.Extra = strings.ToUpper(ce.Message[:1]) + ce.Message[1:] + "."
		}
	}
	return fl
}

func (s *Server) handleLeaveWaitlist(w http.ResponseWriter, r *http.Request) {
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		se, err := sessionFor(snap, r)
		if err != nil {
			return flash{}, err
		}
		err = s.seats.LeaveWaitlist(ctx, u.ID, se.ID)
		switch {
		case err == nil:
			return flash{Code: flashLeft, SessionID: se.ID}, nil
		case errcode.Is(err, errcode.NotFound):
			return flash{Code: flashNotWaiting, SessionID: se.ID}, nil
		}
		return flash{SessionID: se.ID}, err
	})
}

// handleOfferAction accepts or declines one of the attendee's offers. An
// offer that is not theirs (or does not exist) is a 404 page.
func (s *Server) handleOfferAction(w http.ResponseWriter, r *http.Request) {
	accept := strings.HasSuffix(r.URL.Path, "/accept")
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		id := r.PathValue("id")
		// The session is named in the flash; the offer list says which.
		sessionID := ""
		if list, err := s.seats.Offers(ctx, u.ID); err == nil {
			for _, o := range list {
				if o.ID == id {
					sessionID = o.SessionID
				}
			}
		}
		var err error
		fl := flash{SessionID: sessionID}
		if accept {
			var res reservation.Result
			res, err = s.seats.Accept(ctx, u.ID, id)
			if err == nil {
				fl.Code, fl.SessionID, fl.Extra = statusFlash(res.Status), res.SessionID, res.ConflictWith
				if res.Status == reservation.Reserved {
					fl.Code = flashAccepted
				}
			}
		} else {
			err = s.seats.Decline(ctx, u.ID, id)
			fl.Code = flashDeclined
		}
		if errcode.Is(err, errcode.Conflict) {
			// Expired, declined or accepted meanwhile.
			if errors.Is(err, reservation.ErrOfferExpired) {
				return flash{Code: flashOfferExpired, SessionID: sessionID}, nil
			}
			return flash{Code: flashOfferEnded, SessionID: sessionID}, nil
		}
		if err != nil {
			return fl, err
		}
		return fl, nil
	})
}

func (s *Server) handleAutoAccept(w http.ResponseWriter, r *http.Request) {
	s.seatAction(w, r, func(ctx context.Context, u *account.User, snap *conference.Snapshot, f seatForm) (flash, error) {
		on := r.PostFormValue("enabled") == "on"
		if err := s.seats.SetAutoAccept(ctx, u.ID, on); err != nil {
			return flash{}, err
		}
		if on {
			return flash{Code: flashAutoOn}, nil
		}
		return flash{Code: flashAutoOff}, nil
	})
}

// offerItem is one open offer.
type offerItem struct {
	ID, SessionID, Title string
	When, Where          string
	Expires              string // "10:32"
	ExpiresISO           string
}

func offerItemOf(snap *conference.Snapshot, se *conference.Session, o reservation.Offer) offerItem {
	it := newSessionItem(snap, se)
	return offerItem{
		ID: o.ID, SessionID: se.ID, Title: se.Title, When: it.When,
		Where:      joinNonEmpty(" · ", it.Venue, it.RoomLevel, it.Room),
		Expires:    snap.Local(o.ExpiresAt).Format("15:04"),
		ExpiresISO: snap.Local(o.ExpiresAt).Format(time.RFC3339),
	}
}

// mySeatsView is /me/reservations.
type mySeatsView struct {
	NowISO     string // the server's clock, for the countdowns
	Flash      *flashView
	Offers     []offerItem
	AutoAccept bool
	Days       []seatDay
	Waiting    []waitItem
	Past       []heldItem // lapsed, or cancelled by the organizer
	CSRF       string
	Count      int
}

type seatDay struct {
	Label string
	Items []heldItem
}

type heldItem struct {
	sessionItem
	Release   string // "10:50"
	Status    string // active | lapsed | session_cancelled
	CheckedIn string // "10:42" when checked in
	Past      bool   // the release instant has passed
}

type waitItem struct {
	sessionItem
	Position int
}

func (s *Server) handleMySeats(w http.ResponseWriter, r *http.Request) {
	snap, u, ok := s.signedInPage(w, r, "/me/reservations")
	if !ok {
		return
	}
	ctx := r.Context()
	now := s.clock.Now()
	v := mySeatsView{NowISO: snap.Local(now).Format(time.RFC3339Nano), CSRF: httpx.CSRFToken(r), Flash: s.takeFlash(w, r, snap)}
	offers, err := s.seats.Offers(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, o := range offers {
		if se, ok := snap.Session(o.SessionID); ok {
			v.Offers = append(v.Offers, offerItemOf(snap, se, o))
		}
	}
	if v.AutoAccept, err = s.seats.AutoAccept(ctx, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	list, err := s.seats.Reservations(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var held []*conference.Session
	status := map[string]reservation.Reservation{}
	for _, res := range list {
		se, ok := snap.Session(res.SessionID)
		if !ok {
			continue
		}
		if prev, seen := status[se.ID]; !seen || prev.Status != reservation.StateActive {
			if !seen {
				held = append(held, se)
			}
			status[se.ID] = res
		}
	}
	sortByStart(held)
	lead := s.seats.Config()
	for _, se := range held {
		res := status[se.ID]
		release := lead.Release(se)
		it := heldItem{sessionItem: newSessionItem(snap, se), Release: snap.Local(release).Format("15:04"),
			Status: string(res.Status), Past: !now.Before(release)}
		if res.CheckedIn != nil {
			it.CheckedIn = snap.Local(*res.CheckedIn).Format("15:04")
		}
		if res.Status != reservation.StateActive {
			v.Past = append(v.Past, it)
			continue
		}
		v.Count++
		label := snap.Local(se.Start).Format("Monday 2 January")
		if n := len(v.Days); n == 0 || v.Days[n-1].Label != label {
			v.Days = append(v.Days, seatDay{Label: label})
		}
		d := &v.Days[len(v.Days)-1]
		d.Items = append(d.Items, it)
	}
	waits, err := s.seats.Waitlist(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, wp := range waits {
		if se, ok := snap.Session(wp.SessionID); ok {
			v.Waiting = append(v.Waiting, waitItem{sessionItem: newSessionItem(snap, se), Position: wp.Position})
		}
	}
	s.render(w, r, http.StatusOK, "reservations", "layout", layoutView{
		Title: "My seats", ConferenceName: snap.Conf.Name, Nav: "seats", Main: v,
	})
}

// sortByStart orders sessions by start, then id.
func sortByStart(list []*conference.Session) {
	slices.SortFunc(list, func(a, b *conference.Session) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
	})
}
