package app

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/reservation"
)

// seatUser is one signed-in browser without JavaScript, plus its API token.
type seatUser struct {
	c     *http.Client
	token string
}

func newSeatUser(t *testing.T, srv *httptest.Server, email string) seatUser {
	t.Helper()
	const pw = "correct horse battery"
	tok := signup(t, srv, email, pw)
	c := browser(t)
	signIn(t, c, srv.URL, email, pw)
	return seatUser{c: c, token: tok}
}

var (
	formBlock   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// formFields returns the hidden fields of the page's form posting to
// action (the first one), or nil when there is none.
func formFields(body, action string) url.Values {
	for _, m := range formBlock.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, in := range hiddenInput.FindAllStringSubmatch(m[2], -1) {
			v.Set(in[1], html.UnescapeString(in[2]))
		}
		return v
	}
	return nil
}

// submit finds the form posting to action on the page at pageURL, posts it
// as a browser without JavaScript does and follows the redirect. It returns
// the status of the post and the page it led to.
func (u seatUser) submit(t *testing.T, base, pageURL, action string, extra ...string) (int, string) {
	t.Helper()
	_, body, _ := page(t, u.c, base+pageURL)
	form := formFields(body, action)
	if form == nil {
		t.Fatalf("%s has no form posting to %s", pageURL, action)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return u.post(t, base, action, form)
}

func (u seatUser) post(t *testing.T, base, action string, form url.Values) (int, string) {
	t.Helper()
	st, hdr, body := postForm(t, u.c, base+action, form)
	if st != http.StatusSeeOther {
		return st, string(body)
	}
	loc, _, _ := strings.Cut(hdr.Get("Location"), "#")
	_, after, _ := page(t, u.c, base+loc)
	return st, after
}

// seatsLeft is the session page's count sentence.
func seatsLeft(available, capacity int) string {
	return commas(available) + "</span> of " + commas(capacity) + " seats left"
}

func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// setCapacity makes a session small enough to fill in a test.
func setCapacity(t *testing.T, a *App, id string, n int) {
	t.Helper()
	if _, err := a.Seats().EditSession(context.Background(), id, reservation.SessionEdit{Capacity: &n}); err != nil {
		t.Fatal(err)
	}
}

func overlapping(snap *conference.Snapshot, s *conference.Session) *conference.Session {
	for i := range snap.Conf.Sessions {
		o := &snap.Conf.Sessions[i]
		if o.Reservable && !o.Cancelled && o.ID != s.ID && conference.Overlaps(o.Start, o.End, s.Start, s.End) {
			return o
		}
	}
	return nil
}

// TestSeatPagesWithoutJavaScript walks reserve, double submit, cancel,
// waitlist, offers (the clock is pinned) and auto-accept through plain
// form posts, reading the answers off the pages.
func TestSeatPagesWithoutJavaScript(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	A := newSeatUser(t, srv, "a@example.com")
	B := newSeatUser(t, srv, "b@example.com")
	C := newSeatUser(t, srv, "c@example.com")
	snap := a.Snapshot()
	ss := reservableSessions(t, snap, 4)
	open, twice, small := ss[0], ss[1], ss[2]
	clash := overlapping(snap, open)
	var walkIn *conference.Session
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; !s.Reservable && s.Scheduled() && !s.Cancelled {
			walkIn = s
			break
		}
	}
	capOpen := snap.ReservableCapacity(open)
	setCapacity(t, a, small.ID, 1)
	eng := a.Seats()
	pinned := a.clock.Now()
	release := func(s *conference.Session) string {
		return snap.Local(eng.Config().Release(s)).Format("15:04")
	}
	sp := func(s *conference.Session) string { return "/sessions/" + s.ID }
	var offerB string

	steps := []struct {
		name   string
		do     func(t *testing.T) (int, string)
		status int
		want   []string // in the page the answer led to
		check  func(t *testing.T, body string)
	}{
		{"the page shows the exact seats and a Reserve form", func(t *testing.T) (int, string) {
			st, body, _ := page(t, A.c, base+sp(open))
			return st, body
		}, 200, []string{seatsLeft(capOpen, capOpen), `action="/me/reservations/` + open.ID + `"`, "Available"}, nil},
		{"reserve: the flash says so and the count drops", func(t *testing.T) (int, string) {
			return A.submit(t, base, sp(open), "/me/reservations/"+open.ID)
		}, 303, []string{"Reserved: your seat in", "held until " + release(open), seatsLeft(capOpen-1, capOpen), "Cancel my seat"}, nil},
		{"the flash is shown once", func(t *testing.T) (int, string) {
			st, body, _ := page(t, A.c, base+sp(open))
			return st, body
		}, 200, []string{seatsLeft(capOpen-1, capOpen)}, func(t *testing.T, body string) {
			if strings.Contains(body, "Reserved: your seat") {
				t.Error("the flash came back on a reload")
			}
		}},
		{"double submit with the same one-time token books once", func(t *testing.T) (int, string) {
			_, body, _ := page(t, A.c, base+sp(twice))
			form := formFields(body, "/me/reservations/"+twice.ID)
			if form.Get("token") == "" {
				t.Fatal("the reserve form carries no one-time token")
			}
			st1, first := A.post(t, base, "/me/reservations/"+twice.ID, form)
			st2, second := A.post(t, base, "/me/reservations/"+twice.ID, form)
			if st1 != 303 || !strings.Contains(first, "Reserved: your seat") {
				t.Errorf("first submit: %d", st1)
			}
			return st2, second
		}, 303, []string{"Reserved: your seat in", seatsLeft(snap.ReservableCapacity(twice)-1, snap.ReservableCapacity(twice))}, func(t *testing.T, body string) {
			if c, _ := eng.Count(twice.ID); c.Reserved != 1 {
				t.Errorf("%d seats reserved after a double submit, want 1", c.Reserved)
			}
		}},
		{"a new token for a held seat: already yours", func(t *testing.T) (int, string) {
			_, body, _ := page(t, A.c, base+"/?q="+url.QueryEscape(twice.Code))
			form := formFields(body, "/me/reservations/"+twice.ID+"/cancel")
			if form == nil {
				t.Fatal("the catalog card of a held session has no Cancel form")
			}
			form.Set("token", "fresh-token")
			return A.post(t, base, "/me/reservations/"+twice.ID, form)
		}, 303, []string{"Already yours"}, nil},
		{"conflict names the other session with a link", func(t *testing.T) (int, string) {
			if clash == nil {
				t.Skip("no overlapping reservable session in the demo")
			}
			return A.submit(t, base, sp(clash), "/me/reservations/"+clash.ID)
		}, 303, []string{"conflicts with <a href=\"/sessions/" + open.ID + "\">"}, nil},
		{"a session without reservations says so", func(t *testing.T) (int, string) {
			_, _, csrf := page(t, A.c, base+sp(open))
			return A.post(t, base, "/me/reservations/"+walkIn.ID, url.Values{"csrf": {csrf}, "back": {sp(walkIn)}, "token": {"t1"}})
		}, 303, []string{"is walk-up"}, nil},
		{"an unknown session is a 404 page", func(t *testing.T) (int, string) {
			_, _, csrf := page(t, A.c, base+sp(open))
			return A.post(t, base, "/me/reservations/NOPE", url.Values{"csrf": {csrf}, "back": {"/"}})
		}, 404, []string{"no session with that id"}, nil},
		{"cancel gives the seat back", func(t *testing.T) (int, string) {
			return A.submit(t, base, sp(open), "/me/reservations/"+open.ID+"/cancel")
		}, 303, []string{"Cancelled: you gave up your seat", seatsLeft(capOpen, capOpen), `action="/me/reservations/` + open.ID + `"`}, nil},
		{"cancel again: nothing to cancel", func(t *testing.T) (int, string) {
			_, _, csrf := page(t, A.c, base+sp(open))
			return A.post(t, base, "/me/reservations/"+open.ID+"/cancel", url.Values{"csrf": {csrf}, "back": {sp(open)}})
		}, 303, []string{"You hold no seat in"}, nil},
		{"A takes the one seat of a small session", func(t *testing.T) (int, string) {
			return A.submit(t, base, sp(small), "/me/reservations/"+small.ID)
		}, 303, []string{"Reserved: your seat", seatsLeft(0, 1), "Full"}, nil},
		{"B on a full session: a stale Reserve form says full", func(t *testing.T) (int, string) {
			_, _, csrf := page(t, B.c, base+sp(small))
			return B.post(t, base, "/me/reservations/"+small.ID, url.Values{"csrf": {csrf}, "back": {sp(small)}, "token": {"stale"}})
		}, 303, []string{"Full: every seat", "Join the waitlist"}, nil},
		{"B joins the waitlist", func(t *testing.T) (int, string) {
			return B.submit(t, base, sp(small), "/me/waitlist/"+small.ID)
		}, 303, []string{"you are number 1 in line", "Leave the waitlist"}, nil},
		{"C joins the waitlist second", func(t *testing.T) (int, string) {
			return C.submit(t, base, sp(small), "/me/waitlist/"+small.ID)
		}, 303, []string{"you are number 2 in line"}, nil},
		{"My seats lists C's place in line", func(t *testing.T) (int, string) {
			st, body, _ := page(t, C.c, base+"/me/reservations")
			return st, body
		}, 200, []string{"Number <strong>2</strong> in line", `action="/me/waitlist/` + small.ID + `/leave"`}, nil},
		{"A cancels: the seat is offered to B, held an hour on the pinned clock", func(t *testing.T) (int, string) {
			A.submit(t, base, sp(small), "/me/reservations/"+small.ID+"/cancel")
			st, body, _ := page(t, B.c, base+"/me/reservations")
			return st, body
		}, 200, []string{"Held for you until", ">" + snap.Local(pinned.Add(time.Hour)).Format("15:04") + "</time>", "Decline"}, func(t *testing.T, body string) {
			m := regexp.MustCompile(`action="/me/offers/([^/"]+)/accept"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no Accept form on My seats")
			}
			offerB = m[1]
		}},
		{"the session page tells B a seat is held", func(t *testing.T) (int, string) {
			st, body, _ := page(t, B.c, base+sp(small))
			return st, body
		}, 200, []string{"A seat is held for you until", "data-seat-held>1</span> held for waitlist offers", `action="/me/offers/`}, nil},
		{"B declines: the offer goes to C", func(t *testing.T) (int, string) {
			return B.submit(t, base, "/me/reservations", "/me/offers/"+offerB+"/decline")
		}, 303, []string{"Declined: the seat in", "No offers right now"}, nil},
		{"declining twice: no longer open", func(t *testing.T) (int, string) {
			_, _, csrf := page(t, B.c, base+"/me/reservations")
			return B.post(t, base, "/me/offers/"+offerB+"/decline", url.Values{"csrf": {csrf}, "back": {"/me/reservations"}})
		}, 303, []string{"That offer is no longer open"}, nil},
		{"C accepts the offer", func(t *testing.T) (int, string) {
			_, body, _ := page(t, C.c, base+"/me/reservations")
			m := regexp.MustCompile(`action="/me/offers/([^/"]+)/accept"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("C has no offer after B declined")
			}
			return C.submit(t, base, "/me/reservations", "/me/offers/"+m[1]+"/accept")
		}, 303, []string{"Reserved: your seat in", "Hold until <strong>" + release(small) + "</strong>", snap.Local(small.Start).Format("Monday 2 January")}, func(t *testing.T, body string) {
			if c, _ := eng.Count(small.ID); c.Reserved != 1 || c.Held != 0 {
				t.Errorf("after accepting: %+v", c)
			}
		}},
		{"C turns on automatic acceptance", func(t *testing.T) (int, string) {
			return C.submit(t, base, "/me/reservations", "/me/offers/auto-accept", "enabled", "on")
		}, 303, []string{"Offers are accepted automatically", "Let me accept offers myself"}, nil},
		{"the catalog shows bands, numbers and the holder's button", func(t *testing.T) (int, string) {
			st, body, _ := page(t, C.c, base+"/?q="+url.QueryEscape(small.Code))
			return st, body
		}, 200, []string{`class="seatband band-full"`, `data-seat-available>0</span> of 1 left`, `mine-reserved">Your seat`, `action="/me/reservations/` + small.ID + `/cancel"`}, nil},
		{"reserve from a catalog card comes back to the card", func(t *testing.T) (int, string) {
			return B.submit(t, base, "/?q="+url.QueryEscape(open.Code), "/me/reservations/"+open.ID)
		}, 303, []string{`class="seatband band-available"`, "Reserved: your seat in", "Session catalog"}, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			status, body := st.do(t)
			if status != st.status {
				t.Fatalf("status %d, want %d: %.500s", status, st.status, body)
			}
			for _, w := range st.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			if st.check != nil {
				st.check(t, body)
			}
		})
	}
}

// TestSeatFormsByScript: the fetch variant answers with the updated box.
func TestSeatFormsByScript(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	A := newSeatUser(t, srv, "js@example.com")
	s := reservableSessions(t, a.Snapshot(), 1)[0]
	capacity := a.Snapshot().ReservableCapacity(s)
	_, body, _ := page(t, A.c, srv.URL+"/sessions/"+s.ID)
	form := formFields(body, "/me/reservations/"+s.ID)
	tests := []struct {
		name string
		view string
		want []string
	}{
		{"session page box", "page", []string{`<section class="seatbox band-available" id="seats-` + s.ID + `"`, "Reserved: your seat", seatsLeft(capacity-1, capacity), "Cancel my seat"}},
		{"catalog card band (a replay: the first answer)", "card", []string{`<div class="seatband band-available" id="seats-` + s.ID + `"`, "Reserved: your seat", `name="view" value="card"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form.Set("view", tt.view)
			st, _, frag := postForm(t, A.c, srv.URL+"/me/reservations/"+s.ID, form, "Accept", "text/html-fragment")
			if st != 200 {
				t.Fatalf("status %d: %.300s", st, frag)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(frag), w) {
					t.Errorf("the fragment lacks %q: %.600s", w, frag)
				}
			}
		})
	}
}

// TestSeatPagesCSRFAndIsolation: forms without the CSRF token are refused,
// and attendee B cannot see or act on A's reservations, offers or
// waitlist places through the pages.
func TestSeatPagesCSRFAndIsolation(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	A := newSeatUser(t, srv, "alice@example.com")
	B := newSeatUser(t, srv, "bob@example.com")
	snap := a.Snapshot()
	ss := reservableSessions(t, snap, 3)
	// A holds a later session: nothing before the small one to travel from.
	small, other, held := ss[0], ss[1], ss[2]
	setCapacity(t, a, small.ID, 1)
	// A holds held; B holds small's seat and A waits; B cancels: A has an offer.
	for _, step := range []struct {
		u            seatUser
		page, action string
	}{
		{A, "/sessions/" + held.ID, "/me/reservations/" + held.ID},
		{B, "/sessions/" + small.ID, "/me/reservations/" + small.ID},
		{A, "/sessions/" + small.ID, "/me/waitlist/" + small.ID},
		{B, "/sessions/" + small.ID, "/me/reservations/" + small.ID + "/cancel"},
	} {
		if st, body := step.u.submit(t, base, step.page, step.action); st != 303 {
			t.Fatalf("%s: %d %.300s", step.action, st, body)
		}
	}
	offers, err := a.Seats().Offers(context.Background(), userID(t, base, A.token))
	if err != nil || len(offers) != 1 {
		t.Fatalf("A's offers: %v %v", offers, err)
	}
	offerA := offers[0].ID

	_, _, csrfB := page(t, B.c, base+"/me/reservations")
	csrfTests := []struct {
		name, path string
		csrf       string
	}{
		{"reserve without the token", "/me/reservations/" + other.ID, ""},
		{"reserve with a wrong token", "/me/reservations/" + other.ID, "forged"},
		{"cancel without the token", "/me/reservations/" + held.ID + "/cancel", ""},
		{"join the waitlist without the token", "/me/waitlist/" + small.ID, ""},
		{"leave the waitlist without the token", "/me/waitlist/" + small.ID + "/leave", ""},
		{"accept without the token", "/me/offers/" + offerA + "/accept", ""},
		{"decline without the token", "/me/offers/" + offerA + "/decline", ""},
		{"auto-accept without the token", "/me/offers/auto-accept", ""},
	}
	for _, tt := range csrfTests {
		t.Run("csrf/"+tt.name, func(t *testing.T) {
			form := url.Values{"back": {"/"}, "enabled": {"on"}}
			if tt.csrf != "" {
				form.Set("csrf", tt.csrf)
			}
			if st, _, body := postForm(t, A.c, base+tt.path, form); st != http.StatusForbidden {
				t.Errorf("status %d, want 403: %.200s", st, body)
			}
		})
	}
	if c, _ := a.Seats().Count(other.ID); c.Reserved != 0 {
		t.Error("a refused form reserved a seat")
	}

	isolation := []struct {
		name   string
		do     func(t *testing.T) (int, string)
		status int
		want   string
	}{
		{"B's My seats shows none of A's", func(t *testing.T) (int, string) {
			st, body, _ := page(t, B.c, base+"/me/reservations")
			for _, leak := range []string{held.Title, offerA, "/me/waitlist/" + small.ID + "/leave"} {
				if strings.Contains(body, html.EscapeString(leak)) {
					t.Errorf("B's page shows A's %q", leak)
				}
			}
			return st, body
		}, 200, "No offers right now"},
		{"B accepting A's offer: 404 page", func(t *testing.T) (int, string) {
			return B.post(t, base, "/me/offers/"+offerA+"/accept", url.Values{"csrf": {csrfB}, "back": {"/me/reservations"}})
		}, 404, "Page not found"},
		{"B declining A's offer: 404 page", func(t *testing.T) (int, string) {
			return B.post(t, base, "/me/offers/"+offerA+"/decline", url.Values{"csrf": {csrfB}, "back": {"/me/reservations"}})
		}, 404, "Page not found"},
		{"B cancelling A's session cancels only B's (none)", func(t *testing.T) (int, string) {
			return B.post(t, base, "/me/reservations/"+held.ID+"/cancel", url.Values{"csrf": {csrfB}, "back": {"/sessions/" + held.ID}})
		}, 303, "You hold no seat in"},
		{"B leaving a waitlist A is on", func(t *testing.T) (int, string) {
			return B.post(t, base, "/me/waitlist/"+small.ID+"/leave", url.Values{"csrf": {csrfB}, "back": {"/sessions/" + small.ID}})
		}, 303, "You are not on the waitlist"},
		{"signed out, My seats asks to sign in", func(t *testing.T) (int, string) {
			st, hdr, _ := call(t, browser(t), "GET", base+"/me/reservations", "", nil)
			return st, hdr.Get("Location")
		}, 303, "/signin?next=%2Fme%2Freservations"},
	}
	for _, tt := range isolation {
		t.Run("isolation/"+tt.name, func(t *testing.T) {
			st, body := tt.do(t)
			if st != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d (want %d), want %q in %.300s", st, tt.status, tt.want, body)
			}
		})
	}
	// A still has everything.
	_, body, _ := page(t, A.c, base+"/me/reservations")
	for _, w := range []string{html.EscapeString(held.Title), "/me/offers/" + offerA + "/accept"} {
		if !strings.Contains(body, w) {
			t.Errorf("A's My seats lost %q", w)
		}
	}
}

func userID(t *testing.T, base, token string) string {
	t.Helper()
	_, _, body := call(t, nil, "GET", base+"/api/v1/me", token, nil)
	var me struct{ ID string }
	mustJSON(t, body, &me)
	return me.ID
}
