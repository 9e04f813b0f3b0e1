package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/httpx"
	"venuehop/internal/notify"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

type noticesAnswer struct {
	Notices []struct {
		notify.Notice
		Read bool `json:"read"`
	} `json:"notices"`
	Unread int `json:"unread"`
}

// settle waits until the triggers and the notices service have handled
// everything queued so far.
func settle(a *App) {
	a.NoticeTriggers().Wait()
	a.Notices().Wait()
}

func myNotices(t *testing.T, base, token string) noticesAnswer {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/me/notices", token, nil)
	if st != 200 {
		t.Fatalf("GET notices: %d %s", st, body)
	}
	var out noticesAnswer
	mustJSON(t, body, &out)
	return out
}

// makeOffer fills a one-seat session with holder's seat, puts waiter on
// its waitlist and frees the seat: waiter gets an offer.
func makeOffer(t *testing.T, a *App, base string, se *conference.Session, holder, waiter string) reservation.Offer {
	t.Helper()
	setCapacity(t, a, se.ID, 1)
	if st, _, body := call(t, nil, "POST", base+"/api/v1/me/reservations", holder, map[string]any{"sessionIds": []string{se.ID}}); st != 200 || !strings.Contains(string(body), `"reserved"`) {
		t.Fatalf("reserve: %d %s", st, body)
	}
	if st, _, body := call(t, nil, "POST", base+"/api/v1/me/waitlist/"+se.ID, waiter, nil); st != 200 {
		t.Fatalf("join the waitlist: %d %s", st, body)
	}
	if st, _, body := call(t, nil, "DELETE", base+"/api/v1/me/reservations/"+se.ID, holder, nil); st != 204 {
		t.Fatalf("cancel: %d %s", st, body)
	}
	settle(a)
	offers, err := a.Seats().Offers(context.Background(), userID(t, base, waiter))
	offers = slices.DeleteFunc(offers, func(o reservation.Offer) bool { return o.SessionID != se.ID })
	if err != nil || len(offers) != 1 {
		t.Fatalf("the waiter's offers for %s: %v %v", se.ID, offers, err)
	}
	return offers[0]
}

// TestOfferMakesANotice: a waitlist offer makes one urgent notice for its
// attendee, expiring with the offer, and for nobody else.
func TestOfferMakesANotice(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	holder := signup(t, srv, "holder@example.com", "correct horse battery")
	waiter := signup(t, srv, "waiter@example.com", "correct horse battery")
	bystander := signup(t, srv, "bystander@example.com", "correct horse battery")
	se := reservableSessions(t, a.Snapshot(), 1)[0]
	o := makeOffer(t, a, base, se, holder, waiter)
	got := myNotices(t, base, waiter)
	if len(got.Notices) != 1 || got.Unread != 1 {
		t.Fatalf("the waiter's notices: %+v", got)
	}
	n := got.Notices[0]
	if n.Category != notify.CategoryOffer || n.Urgency != notify.UrgencyHigh || !n.Expires.Equal(o.ExpiresAt) ||
		n.OfferID != o.ID || n.Topic != "offer-"+o.ID || n.SessionID != se.ID || n.URL != "/me/reservations#offer-"+o.ID ||
		!strings.Contains(n.Title, se.Title) || n.Read {
		t.Errorf("offer notice %+v (offer %s expires %s)", n, o.ID, o.ExpiresAt)
	}
	for who, tok := range map[string]string{"holder": holder, "bystander": bystander} {
		if got := myNotices(t, base, tok); len(got.Notices) != 0 || got.Unread != 0 {
			t.Errorf("the %s got notices: %+v", who, got)
		}
	}
}

// acceptPlanWith stores an accepted plan holding the sessions, through the
// store (the planner's own tests cover making one).
func acceptPlanWith(t *testing.T, a *App, attendee string, sessions ...string) {
	t.Helper()
	ctx := context.Background()
	var prop agenda.Proposal
	for _, id := range sessions {
		prop.Plan.Items = append(prop.Plan.Items, planner.PlanItem{Item: planner.Item{SessionID: id}})
	}
	body, err := json.Marshal(prop)
	if err != nil {
		t.Fatal(err)
	}
	p := agenda.StoredPlan{ID: fmt.Sprintf("p_%s_%d", attendee, time.Now().UnixNano()), Attendee: attendee, Created: time.Now(), Origin: agenda.OriginRequest,
		State: agenda.StateProposed, Body: body, Sessions: sessions}
	if err := a.store.Plans.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := a.store.Plans.AcceptPlan(ctx, attendee, p.ID); err != nil {
		t.Fatal(err)
	}
}

// reimportMoving re-imports the stored conference (native JSON) with the
// session shifted by d, as an organizer would.
func reimportMoving(t *testing.T, a *App, base, org, sessionID string, d time.Duration) {
	t.Helper()
	c := *a.Snapshot().Conf
	c.Sessions = slices.Clone(c.Sessions)
	i := slices.IndexFunc(c.Sessions, func(s conference.Session) bool { return s.ID == sessionID })
	c.Sessions[i].Start = c.Sessions[i].Start.Add(d)
	c.Sessions[i].End = c.Sessions[i].End.Add(d)
	file, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	st, _, body := call(t, nil, "POST", base+"/api/v1/admin/import?format=json&confirm=true&name=moved.json", org, string(file))
	if st != 200 || !strings.Contains(string(body), `"applied":true`) {
		t.Fatalf("re-import: %d %.600s", st, body)
	}
}

// TestChangeNotices: a re-import moving a session tells those who planned
// or reserved it, once each, and nobody else; a second move replaces the
// first notice (same topic); an attendee who turned changes off gets none;
// an organizer's cancellation tells the seat holders too.
func TestChangeNotices(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	org := demoTokens(t, a, base)[account.Organizer]
	planner := signup(t, srv, "planner@example.com", "correct horse battery")
	reserver := signup(t, srv, "reserver@example.com", "correct horse battery")
	both := signup(t, srv, "both@example.com", "correct horse battery")
	quiet := signup(t, srv, "quiet@example.com", "correct horse battery")
	other := signup(t, srv, "other@example.com", "correct horse battery")
	ss := reservableSessions(t, a.Snapshot(), 2)
	moved, elsewhere := ss[0], ss[1]

	acceptPlanWith(t, a, userID(t, base, planner), moved.ID)
	acceptPlanWith(t, a, userID(t, base, both), moved.ID)
	acceptPlanWith(t, a, userID(t, base, quiet), moved.ID)
	acceptPlanWith(t, a, userID(t, base, other), elsewhere.ID)
	for _, tok := range []string{reserver, both} {
		if st, _, body := call(t, nil, "POST", base+"/api/v1/me/reservations", tok, map[string]any{"sessionIds": []string{moved.ID}}); st != 200 || !strings.Contains(string(body), `"reserved"`) {
			t.Fatalf("reserve: %d %s", st, body)
		}
	}
	if st, _, body := call(t, nil, "PUT", base+"/api/v1/me/notices/preferences", quiet, map[string]bool{"change": false}); st != 200 || !strings.Contains(string(body), `"change":false`) {
		t.Fatalf("turn changes off: %d %s", st, body)
	}

	reimportMoving(t, a, base, org, moved.ID, 30*time.Minute)
	settle(a)
	for _, tt := range []struct {
		who   string
		token string
		want  int
	}{{"planner", planner, 1}, {"reserver", reserver, 1}, {"both", both, 1}, {"quiet (changes off)", quiet, 0}, {"other", other, 0}} {
		got := myNotices(t, base, tt.token)
		if len(got.Notices) != tt.want {
			t.Errorf("%s: %d notices, want %d: %+v", tt.who, len(got.Notices), tt.want, got)
			continue
		}
		if tt.want == 1 {
			n := got.Notices[0]
			if n.Category != notify.CategoryChange || n.SessionID != moved.ID || n.Topic != "change-"+moved.ID ||
				!strings.HasPrefix(n.Title, "Moved: ") || !strings.Contains(n.Body, "Now ") {
				t.Errorf("%s: change notice %+v", tt.who, n)
			}
		}
	}
	first := myNotices(t, base, planner).Notices[0]

	// Moved again: the newer notice replaces the older one.
	reimportMoving(t, a, base, org, moved.ID, 30*time.Minute)
	settle(a)
	got := myNotices(t, base, planner)
	if len(got.Notices) != 1 || got.Notices[0].ID == first.ID || got.Unread != 1 {
		t.Errorf("after a second move: %+v (first %s)", got, first.ID)
	}

	// Cancelled by an organizer's edit: the seat holders hear of it.
	if st, _, body := call(t, nil, "PATCH", base+"/api/v1/admin/sessions/"+moved.ID, org, map[string]any{"cancelled": true}); st != 200 {
		t.Fatalf("cancel the session: %d %s", st, body)
	}
	settle(a)
	got = myNotices(t, base, reserver)
	if len(got.Notices) != 1 || !strings.HasPrefix(got.Notices[0].Title, "Cancelled: ") {
		t.Errorf("the reserver after the cancellation: %+v", got)
	}
	if got := myNotices(t, base, other); len(got.Notices) != 0 {
		t.Errorf("an attendee who planned another session got %+v", got)
	}
}

// TestNoticesAPIAndPage: authorization, only one's own notices, marking
// read, preferences, CSRF on the page forms and the cookie API.
func TestNoticesAPIAndPage(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	holder := signup(t, srv, "holder@example.com", "correct horse battery")
	W := newSeatUser(t, srv, "waiter@example.com")
	B := newSeatUser(t, srv, "bob@example.com")
	se := reservableSessions(t, a.Snapshot(), 1)[0]
	makeOffer(t, a, base, se, holder, W.token)
	settle(a)
	mine := myNotices(t, base, W.token)
	if len(mine.Notices) != 1 {
		t.Fatalf("the waiter's notices: %+v", mine)
	}
	id := mine.Notices[0].ID

	for _, tt := range []struct {
		name, method, path string
		token              string
		body               any
		status             int
		want               string
	}{
		{"list signed out", "GET", "/api/v1/me/notices", "", nil, 401, "unauthorized"},
		{"read signed out", "POST", "/api/v1/me/notices/read", "", map[string]any{}, 401, "unauthorized"},
		{"prefs signed out", "GET", "/api/v1/me/notices/preferences", "", nil, 401, "unauthorized"},
		{"set prefs signed out", "PUT", "/api/v1/me/notices/preferences", "", map[string]bool{"offer": false}, 401, "unauthorized"},
		{"another attendee sees none", "GET", "/api/v1/me/notices", B.token, nil, 200, `{"notices":[],"unread":0}`},
		{"another attendee cannot mark it", "POST", "/api/v1/me/notices/read", B.token, map[string]any{"ids": []string{id}}, 200, `{"unread":0}`},
		{"an unknown category", "PUT", "/api/v1/me/notices/preferences", W.token, map[string]bool{"email": true}, 400, "unknown notice category"},
		{"too many ids", "POST", "/api/v1/me/notices/read", W.token, map[string]any{"ids": make([]string, notify.MaxMark+1)}, 400, "at most 200"},
		{"a body too large", "POST", "/api/v1/me/notices/read", W.token, `{"ids":["` + strings.Repeat("x", 20<<10) + `"]}`, 413, "too_large"},
		{"the defaults", "GET", "/api/v1/me/notices/preferences", W.token, nil, 200, `{"change":true,"leave":true,"offer":true,"recording":true}`},
	} {
		t.Run("api/"+tt.name, func(t *testing.T) {
			st, _, body := call(t, nil, tt.method, base+tt.path, tt.token, tt.body)
			if st != tt.status || !strings.Contains(string(body), tt.want) {
				t.Errorf("%d %s, want %d with %q", st, body, tt.status, tt.want)
			}
		})
	}
	if got := myNotices(t, base, W.token); got.Unread != 1 {
		t.Errorf("another attendee's mark changed the waiter's unread to %d", got.Unread)
	}

	// The page, without JavaScript.
	st, body, csrf := page(t, W.c, base+"/me/notices")
	if st != 200 || !strings.Contains(body, `id="notice-`+id+`"`) || !strings.Contains(body, `href="/me/reservations#offer-`) ||
		!strings.Contains(body, `data-unread="1"`) {
		i := strings.Index(body, `<main`)
		t.Fatalf("the notices page: %d %s", st, body[i:])
	}
	if _, body, _ := page(t, B.c, base+"/me/notices"); strings.Contains(body, id) || !strings.Contains(body, "No notices right now") {
		t.Errorf("B's notices page shows the waiter's notice")
	}
	if st, hdr, _ := call(t, browser(t), "GET", base+"/me/notices", "", nil); st != 303 || hdr.Get("Location") != "/signin?next=%2Fme%2Fnotices" {
		t.Errorf("signed out: %d %s", st, hdr.Get("Location"))
	}
	for _, action := range []string{"/me/notices/read", "/me/notices/preferences"} {
		for _, token := range []string{"", "forged"} {
			form := url.Values{"id": {id}}
			if token != "" {
				form.Set("csrf", token)
			}
			if st, _, _ := postForm(t, W.c, base+action, form); st != http.StatusForbidden {
				t.Errorf("%s with csrf %q: %d, want 403", action, token, st)
			}
		}
	}
	// The cookie-authenticated API needs the CSRF header too.
	if st, _, body := call(t, W.c, "POST", base+"/api/v1/me/notices/read", "", map[string]any{}); st != http.StatusForbidden {
		t.Errorf("cookie API without %s: %d %s", httpx.CSRFHeader, st, body)
	}
	if got := myNotices(t, base, W.token); got.Unread != 1 {
		t.Fatalf("refused posts marked notices read: %+v", got)
	}
	// Mark read through the page's form, then turn offers off.
	if st, after := W.post(t, base, "/me/notices/read", url.Values{"csrf": {csrf}, "id": {id}}); st != 303 || !strings.Contains(after, "Marked as read") || strings.Contains(after, "Mark all") {
		t.Errorf("mark read: %d %.500s", st, after)
	}
	if got := myNotices(t, base, W.token); got.Unread != 0 || !got.Notices[0].Read {
		t.Errorf("after marking: %+v", got)
	}
	form := url.Values{"csrf": {csrf}, "leave": {"on"}, "change": {"on"}, "recording": {"on"}}
	if st, after := W.post(t, base, "/me/notices/preferences", form); st != 303 || !strings.Contains(after, "Your choices are saved") ||
		!strings.Contains(after, `id="pref-change" name="change" value="on" checked`) || strings.Contains(after, `id="pref-offer" name="offer" value="on" checked`) {
		t.Errorf("save preferences: %d %.500s", st, after)
	}
	// With offers off, the next offer makes no notice.
	other := reservableSessions(t, a.Snapshot(), 3)[2]
	makeOffer(t, a, base, other, holder, W.token)
	settle(a)
	if got := myNotices(t, base, W.token); len(got.Notices) != 1 {
		t.Errorf("an offer with offers turned off made a notice: %+v", got)
	}
}

// TestRecordingNotices: a recording published for a session tells those
// who planned or reserved it and were not scanned in, once.
func TestRecordingNotices(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	org := demoTokens(t, a, base)[account.Organizer]
	missed := signup(t, srv, "missed@example.com", "correct horse battery")
	went := signup(t, srv, "went@example.com", "correct horse battery")
	other := signup(t, srv, "other@example.com", "correct horse battery")
	ss := reservableSessions(t, a.Snapshot(), 2)
	se := ss[0]
	acceptPlanWith(t, a, userID(t, base, missed), se.ID)
	acceptPlanWith(t, a, userID(t, base, went), se.ID)
	acceptPlanWith(t, a, userID(t, base, other), ss[1].ID)
	if st, _, body := call(t, nil, "POST", base+"/api/v1/admin/checkins", org, map[string]string{"sessionId": se.ID, "attendeeId": userID(t, base, went)}); st != 201 {
		t.Fatalf("check in: %d %s", st, body)
	}
	a.NoticeTriggers().Recordings(context.Background()) // nothing published yet
	if st, _, body := call(t, nil, "PATCH", base+"/api/v1/admin/sessions/"+se.ID, org, map[string]any{"recordingUrl": "https://video.example.com/" + se.ID}); st != 200 {
		t.Fatalf("publish the recording: %d %s", st, body)
	}
	for range 2 { // a second look finds nothing new
		a.NoticeTriggers().Recordings(context.Background())
		settle(a)
	}
	got := myNotices(t, base, missed)
	if len(got.Notices) != 1 {
		t.Fatalf("the attendee who missed it: %+v", got)
	}
	if n := got.Notices[0]; n.Category != notify.CategoryRecording || n.SessionID != se.ID || n.Topic != "recording-"+se.ID || n.URL != "/sessions/"+se.ID {
		t.Errorf("recording notice %+v", n)
	}
	for who, tok := range map[string]string{"checked in": went, "planned another": other} {
		if got := myNotices(t, base, tok); len(got.Notices) != 0 {
			t.Errorf("%s: %+v", who, got)
		}
	}
}
