package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"venuehop/internal/notify"
	"venuehop/internal/webpush"
)

// RunPush is the conformance suite of webpush.Store. newPlace is called
// once per test and returns an opener for one fresh place; every call of
// the opener opens another store on that same place (another node).
func RunPush(t *testing.T, newPlace func(t *testing.T) func() webpush.Store) {
	t.Helper()
	t.Run("Subscriptions", func(t *testing.T) { testPushSubscriptions(t, newPlace(t)()) })
	t.Run("VAPIDKeysOnePair", func(t *testing.T) { testVAPIDKeys(t, newPlace(t)) })
}

func testPushSubscriptions(t *testing.T, s webpush.Store) {
	ctx := context.Background()
	if got, err := s.PushSubscriptions(ctx, "u_a"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("PushSubscriptions before any: %v %v, want an empty list", got, err)
	}
	at := accountEpoch
	sub := func(endpoint, attendee string, minute int, cats ...notify.Category) webpush.Subscription {
		return webpush.Subscription{Endpoint: endpoint, AttendeeID: attendee, P256dh: "BPkey-" + endpoint, Auth: "auth-" + endpoint,
			Categories: cats, Label: "Firefox on " + endpoint, Created: at.Add(time.Duration(minute) * time.Minute)}
	}
	puts := []webpush.Subscription{
		sub("https://push.example/b", "u_a", 2, notify.CategoryOffer),
		sub("https://push.example/a", "u_a", 1, notify.Categories[:]...),
		sub("https://push.example/c", "u_b", 3),
	}
	for _, p := range puts {
		if err := s.PutPushSubscription(ctx, p); err != nil {
			t.Fatalf("PutPushSubscription %s: %v", p.Endpoint, err)
		}
	}
	ends := func(attendee string) []string {
		t.Helper()
		list, err := s.PushSubscriptions(ctx, attendee)
		if err != nil {
			t.Fatalf("PushSubscriptions(%s): %v", attendee, err)
		}
		var out []string
		for _, l := range list {
			out = append(out, l.Endpoint)
		}
		return out
	}
	list, err := s.PushSubscriptions(ctx, "u_a")
	if err != nil || len(list) != 2 {
		t.Fatalf("PushSubscriptions(u_a) = %+v %v", list, err)
	}
	for i, want := range []webpush.Subscription{puts[1], puts[0]} { // oldest first
		got := list[i]
		if got.Endpoint != want.Endpoint || got.AttendeeID != "u_a" || got.P256dh != want.P256dh || got.Auth != want.Auth ||
			got.Label != want.Label || !got.Created.Equal(want.Created) || !slices.Equal(got.Categories, want.Categories) {
			t.Errorf("subscription %d = %+v, want %+v", i, got, want)
		}
	}
	if got, _ := s.PushSubscriptions(ctx, "u_b"); len(got) != 1 || got[0].Categories == nil || len(got[0].Categories) != 0 {
		t.Errorf("a subscription that wants nothing = %+v, want one with an empty category list", got)
	}

	// Subscribing an endpoint again updates it in place; Created stays.
	again := sub("https://push.example/b", "u_a", 50, notify.CategoryChange, notify.CategoryRecording)
	again.Auth, again.Label = "auth-new", "Chrome"
	if err := s.PutPushSubscription(ctx, again); err != nil {
		t.Fatal(err)
	}
	list, _ = s.PushSubscriptions(ctx, "u_a")
	if len(list) != 2 || list[1].Auth != "auth-new" || list[1].Label != "Chrome" || !list[1].Created.Equal(puts[0].Created) ||
		!slices.Equal(list[1].Categories, []notify.Category{notify.CategoryChange, notify.CategoryRecording}) {
		t.Errorf("after re-subscribing: %+v", list)
	}
	// Another attendee subscribing the same browser takes it over.
	moved := sub("https://push.example/a", "u_b", 60, notify.CategoryOffer)
	if err := s.PutPushSubscription(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if a, b := ends("u_a"), ends("u_b"); !slices.Equal(a, []string{"https://push.example/b"}) ||
		!slices.Equal(b, []string{"https://push.example/a", "https://push.example/c"}) {
		t.Errorf("after moving /a to u_b: u_a %v, u_b %v", a, b)
	}

	// Deleting needs the owner; twice is once.
	if ok, err := s.DeletePushSubscription(ctx, "u_a", "https://push.example/a"); ok || err != nil {
		t.Errorf("deleting another attendee's subscription: %v %v", ok, err)
	}
	if ok, err := s.DeletePushSubscription(ctx, "u_b", "https://push.example/a"); !ok || err != nil {
		t.Errorf("DeletePushSubscription: %v %v", ok, err)
	}
	if ok, err := s.DeletePushSubscription(ctx, "u_b", "https://push.example/a"); ok || err != nil {
		t.Errorf("deleting again: %v %v, want false", ok, err)
	}
	if b := ends("u_b"); !slices.Equal(b, []string{"https://push.example/c"}) {
		t.Errorf("u_b after delete: %v", b)
	}
}

// testVAPIDKeys: the first pair stored is the one pair, whoever asks and
// however many ask at once.
func testVAPIDKeys(t *testing.T, open func() webpush.Store) {
	ctx := context.Background()
	nodes := []webpush.Store{open(), open()}
	const racers = 8
	got := make([]webpush.Keys, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			cand := webpush.Keys{Public: "pub-" + string(rune('a'+i)), Private: "priv-" + string(rune('a'+i))}
			got[i], errs[i] = nodes[i%2].SharedVAPIDKeys(ctx, cand, accountEpoch)
		})
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil {
			t.Fatalf("SharedVAPIDKeys %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("node %d got key pair %+v, another %+v: the nodes would sign differently", i, got[i], got[0])
		}
	}
	if got[0].Public[len("pub-"):] != got[0].Private[len("priv-"):] {
		t.Errorf("the pair %+v mixes two candidates", got[0])
	}
	later, err := nodes[0].SharedVAPIDKeys(ctx, webpush.Keys{Public: "pub-z", Private: "priv-z"}, accountEpoch)
	if err != nil || later != got[0] {
		t.Errorf("a later start got %+v %v, want the stored %+v", later, err, got[0])
	}
}
