package app

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"venuehop/internal/browsertest"
	"venuehop/internal/conference"
	"venuehop/internal/notify"
	"venuehop/internal/webpush/pushtest"
)

// TestBrowserPushShowsNotification: the service worker's push handler shows
// what the server pushed. The push message is delivered through the
// DevTools protocol (the browser's own push service is not reachable from
// a test); the notification it shows is read back from the registration.
// An offer gets its "Take the seat" action; a second message with the same
// topic replaces the first; an expired one is not shown.
func TestBrowserPushShowsNotification(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv := duringEvent(t, "12:30")
	b := newTab(t, ctx, srv.URL)
	tok := signup(t, srv, "push@example.com", "correct horse battery")
	b.signIn("push@example.com", "correct horse battery", "/me/now", ".now-form")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}

	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: srv.URL}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reg serviceworker.RegistrationID
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range e.Registrations {
				if !r.IsDeleted && strings.HasPrefix(r.ScopeURL, srv.URL) {
					reg = r.RegistrationID
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		id := reg
		mu.Unlock()
		if id != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("DevTools never named the service worker's registration")
		}
		time.Sleep(50 * time.Millisecond)
	}

	push := func(n notify.Notice) {
		t.Helper()
		body, _ := json.Marshal(n)
		mu.Lock()
		id := reg
		mu.Unlock()
		if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: srv.URL, RegistrationID: id, Data: string(body)}); err != nil {
			t.Fatal(err)
		}
	}
	shown := `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n =>
		[n.title, n.body, n.tag, n.data.url, n.data.offerId, n.actions.map(a => a.action).join(',')].join('|')).sort().join('\n'))`
	waitShown := func(what, want string) {
		t.Helper()
		var got string
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](shown, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got = v; got == want {
				return
			}
		}
		t.Fatalf("%s: notifications shown\n%s\nwant\n%s", what, got, want)
	}

	soon := time.Now().Add(30 * time.Minute)
	push(notify.Notice{ID: "n1", Category: notify.CategoryOffer, Title: "A seat for you", Body: "Keynote overflow, until 13:05",
		URL: "/me/reservations", OfferID: "o-1", Topic: "offer-o-1", Urgency: notify.UrgencyHigh, Expires: soon})
	waitShown("an offer", "A seat for you|Keynote overflow, until 13:05|offer-o-1|/me/reservations|o-1|accept,open")

	push(notify.Notice{ID: "n2", Category: notify.CategoryLeave, Title: "Leave now for Serverless at scale", Body: "12 min to Venetian, Level 2",
		URL: "/me/now", Topic: "leave-s1", Expires: soon})
	waitShown("a leave-now notice", "A seat for you|Keynote overflow, until 13:05|offer-o-1|/me/reservations|o-1|accept,open\n"+
		"Leave now for Serverless at scale|12 min to Venetian, Level 2|leave-s1|/me/now||")
	push(notify.Notice{ID: "n3", Category: notify.CategoryLeave, Title: "Leave in 5 min for Serverless at scale", Body: "room changed",
		URL: "/me/now", Topic: "leave-s1", Expires: soon})
	push(notify.Notice{ID: "n4", Category: notify.CategoryChange, Title: "Too late", URL: "/", Expires: time.Now().Add(-time.Minute)})
	waitShown("a topic replaced, an expired notice left out",
		"A seat for you|Keynote overflow, until 13:05|offer-o-1|/me/reservations|o-1|accept,open\n"+
			"Leave in 5 min for Serverless at scale|room changed|leave-s1|/me/now||")

	// "Take the seat" on a real offer: the worker accepts it with the
	// CSRF token the page gave it (push.js), without opening a page.
	snap := a.Snapshot()
	var small *conference.Session
	for i := range snap.Conf.Sessions {
		if s := &snap.Conf.Sessions[i]; s.Reservable && !s.Cancelled && s.Scheduled() && snap.Day(s.Start) == snap.Conf.Days[len(snap.Conf.Days)-1] {
			small = s
			break
		}
	}
	offer := makeOffer(t, a, srv.URL, small, signup(t, srv, "holder@example.com", "correct horse battery"), tok)
	worker := serviceWorkerTab(t, ctx, srv.URL)
	if _, err := chromedp.Run(worker, chromedp.Evaluate[bool](`notificationClicked('accept', {offerId: '`+offer.ID+`'}).then(() => true)`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("click Take the seat: %v", err)
	}
	if _, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/reservations", tok, nil); !strings.Contains(string(body), `"`+small.ID+`"`) {
		t.Errorf("after Take the seat, the attendee's reservations: %s", body)
	}
	waitShown("the seat taken", "A seat for you|Keynote overflow, until 13:05|offer-o-1|/me/reservations|o-1|accept,open\n"+
		"Leave in 5 min for Serverless at scale|room changed|leave-s1|/me/now||\n"+
		"Seat taken|It is yours: see My seats.|offer-"+offer.ID+"|/me/reservations||")
	b.noConsoleProblems()
}

// serviceWorkerTab is a chromedp context on the service worker of origin,
// to run the worker's own functions.
func serviceWorkerTab(t *testing.T, ctx context.Context, origin string) context.Context {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range targets {
			if ti.Type == "service_worker" && strings.HasPrefix(ti.URL, origin+"/sw.js") {
				wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
				t.Cleanup(cancel)
				return wctx
			}
		}
	}
	t.Fatal("no service worker target")
	return nil
}

// TestBrowserPushSubscribe: on the notices page an attendee turns
// notifications on for this device, without the recordings; push.js sends
// the subscription with the device's choice; an offer then reaches the
// device through the local push service, encrypted for its keys. The
// browser's own push service (which headless Chromium cannot reach) is
// replaced by a subscription to the test's: PushManager's subscribe and
// getSubscription are stubbed in the page, everything else is real.
func TestBrowserPushSubscribe(t *testing.T) {
	ctx := browsertest.New(t)
	a, srv, _ := newAuthApp(t)
	b := newTab(t, ctx, srv.URL)
	inbox := pushtest.NewService(t)
	phone := pushtest.NewDevice(t)
	in := phone.Input(inbox.Srv.URL+"/push/phone", nil)
	tok := signup(t, srv, "device@example.com", "correct horse battery")
	holder := signup(t, srv, "holder@example.com", "correct horse battery")
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: srv.URL}); err != nil {
		t.Fatal(err)
	}
	b.signIn("device@example.com", "correct horse battery", "/me/notices", "[data-push-toggle]:not([hidden])")
	b.text(`PushManager.prototype.subscribe = function () {
		var sub = {endpoint: '` + in.Endpoint + `', unsubscribe: function () { window.vhSub = null; return Promise.resolve(true); },
			toJSON: function () { return {endpoint: this.endpoint, expirationTime: null, keys: {p256dh: '` + in.P256dh + `', auth: '` + in.Auth + `'}}; }};
		window.vhSub = sub;
		return Promise.resolve(sub);
	};
	PushManager.prototype.getSubscription = function () { return Promise.resolve(window.vhSub || null); };
	''`)
	if !b.is(`!document.querySelector('[data-push-categories]').hidden && document.querySelectorAll('[data-push] input[name=category]:checked').length === 4`) {
		t.Fatal("the device's categories are not offered, all ticked")
	}
	b.do("untick recordings, turn on", chromedp.Click(chromedp.CSS("#push-recording")), chromedp.Click(chromedp.CSS("[data-push-toggle]")))
	b.wait("subscribed", `document.querySelector('[data-push-status]').textContent === 'This device gets notifications.'`)
	b.shot("notices-push-on-phone")
	var devices struct {
		Devices []struct {
			Endpoint   string   `json:"endpoint"`
			Categories []string `json:"categories"`
		} `json:"devices"`
	}
	_, _, body := call(t, nil, "GET", srv.URL+"/api/v1/me/push/subscriptions", tok, nil)
	mustJSON(t, body, &devices)
	if len(devices.Devices) != 1 || devices.Devices[0].Endpoint != in.Endpoint || strings.Join(devices.Devices[0].Categories, " ") != "offer leave change" {
		t.Fatalf("the server has the devices %+v", devices)
	}

	se := reservableSessions(t, a.Snapshot(), 1)[0]
	makeOffer(t, a, srv.URL, se, holder, tok)
	var got []pushtest.Received
	for end := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		got = inbox.Received("/push/phone")
	}
	if len(got) != 1 {
		t.Fatalf("the phone received %d messages, want the offer", len(got))
	}
	var n notify.Notice
	mustJSON(t, phone.Decrypt(t, got[0].Body), &n)
	if n.Category != notify.CategoryOffer || n.SessionID != se.ID {
		t.Errorf("the phone decrypted %+v", n)
	}

	b.do("turn off", chromedp.Click(chromedp.CSS("[data-push-toggle]")))
	b.wait("unsubscribed", `document.querySelector('[data-push-status]').textContent === 'This device gets no notifications.'`)
	_, _, body = call(t, nil, "GET", srv.URL+"/api/v1/me/push/subscriptions", tok, nil)
	devices.Devices = nil
	mustJSON(t, body, &devices)
	if len(devices.Devices) != 0 {
		t.Errorf("after turning off, the server still has %+v", devices)
	}
	b.noConsoleProblems()
}
