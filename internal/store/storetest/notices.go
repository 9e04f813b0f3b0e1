package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
)

// NoticeStore is a backend's notices, the seats they look up and the
// accounts they belong to.
type NoticeStore interface {
	SeatStore
	notify.Store
	notify.SeatHolders
	Accounts() account.Store
}

// RunNotices is the conformance suite of notify.Store and
// notify.SeatHolders.
func RunNotices(t *testing.T, open func(t *testing.T) NoticeStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s NoticeStore)
	}{
		{"ListNewestFirstUnread", testNoticesList},
		{"TopicReplaces", testNoticesTopic},
		{"KeepBoundsAndSweep", testNoticesBounded},
		{"MarkRead", testNoticesMarkRead},
		{"Preferences", testNoticesPrefs},
		{"SeatHolders", testSeatHolders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			for _, id := range []string{"u_a", "u_b"} {
				if err := s.Accounts().CreateUser(ctx, account.User{ID: id, Email: id + "@example.com", Name: id, Role: account.Attendee, CreatedAt: accountEpoch}, ""); err != nil {
					t.Fatal(err)
				}
			}
			tt.run(t, s)
		})
	}
}

var n0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func notice(id, user string, at time.Duration) notify.Notice {
	return notify.Notice{ID: id, AttendeeID: user, Category: notify.CategoryChange, Title: "T " + id, Body: "B " + id,
		URL: "/sessions/S1", SessionID: "S1", Urgency: notify.UrgencyNormal, Created: n0.Add(at), Expires: n0.Add(at + 24*time.Hour)}
}

func mustPut(t *testing.T, s NoticeStore, keep int, ns ...notify.Notice) {
	t.Helper()
	for _, n := range ns {
		if err := s.PutNotice(context.Background(), n, keep); err != nil {
			t.Fatalf("PutNotice %s: %v", n.ID, err)
		}
	}
}

func ids(list []notify.Kept) []string {
	var out []string
	for _, k := range list {
		out = append(out, k.ID)
	}
	return out
}

func testNoticesList(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	offer := notice("n_3", "u_a", 2*time.Minute)
	offer.Category, offer.Urgency, offer.OfferID, offer.Topic = notify.CategoryOffer, notify.UrgencyHigh, "o_1", "offer-o_1"
	mustPut(t, s, 200, notice("n_1", "u_a", 0), notice("n_2", "u_a", time.Minute), offer, notice("n_b", "u_b", 0))
	list, unread, err := s.Notices(ctx, "u_a", n0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(list); !slices.Equal(got, []string{"n_3", "n_2", "n_1"}) || unread != 3 {
		t.Errorf("Notices(u_a) = %v, unread %d; want n_3 n_2 n_1, 3", got, unread)
	}
	got := list[0]
	if got.Category != notify.CategoryOffer || got.Urgency != notify.UrgencyHigh || got.OfferID != "o_1" || got.Topic != "offer-o_1" ||
		got.Title != "T n_3" || got.Body != "B n_3" || got.URL != "/sessions/S1" || got.SessionID != "S1" || got.AttendeeID != "u_a" ||
		!got.Created.Equal(offer.Created) || !got.Expires.Equal(offer.Expires) || !got.ReadAt.IsZero() {
		t.Errorf("round trip: got %+v, want %+v", got, offer)
	}
	if list, _, _ := s.Notices(ctx, "u_a", n0.Add(time.Hour), 2); len(list) != 2 {
		t.Errorf("limit 2 listed %d", len(list))
	}
	// Expired notices are not listed nor counted.
	if list, unread, _ := s.Notices(ctx, "u_a", n0.Add(24*time.Hour+30*time.Second), 10); !slices.Equal(ids(list), []string{"n_3", "n_2"}) || unread != 2 {
		t.Errorf("after n_1 expired: %v, unread %d", ids(list), unread)
	}
}

func testNoticesTopic(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	a, b, other := notice("n_1", "u_a", 0), notice("n_2", "u_a", time.Minute), notice("n_3", "u_b", 0)
	a.Topic, b.Topic, other.Topic = "change-S1", "change-S1", "change-S1"
	b.Title = "Moved again"
	mustPut(t, s, 200, a, other, b)
	list, unread, err := s.Notices(ctx, "u_a", n0, 10)
	if err != nil || !slices.Equal(ids(list), []string{"n_2"}) || unread != 1 || list[0].Title != "Moved again" {
		t.Errorf("the same topic replaces: %v unread %d %v", ids(list), unread, err)
	}
	if list, _, _ := s.Notices(ctx, "u_b", n0, 10); !slices.Equal(ids(list), []string{"n_3"}) {
		t.Errorf("another attendee's topic is theirs: %v", ids(list))
	}
}

func testNoticesBounded(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	for i := range 7 {
		mustPut(t, s, 5, notice(fmt.Sprintf("n_%d", i), "u_a", time.Duration(i)*time.Minute))
	}
	mustPut(t, s, 5, notice("n_b", "u_b", 0))
	list, _, err := s.Notices(ctx, "u_a", n0, 100)
	if err != nil || !slices.Equal(ids(list), []string{"n_6", "n_5", "n_4", "n_3", "n_2"}) {
		t.Errorf("keep 5: %v %v", ids(list), err)
	}
	swept, err := s.SweepNotices(ctx, n0.Add(24*time.Hour+3*time.Minute))
	if err != nil || swept != 3 { // n_2, n_3 and u_b's n_b
		t.Errorf("SweepNotices = %d, %v; want 3", swept, err)
	}
	if list, _, _ := s.Notices(ctx, "u_a", n0, 100); !slices.Equal(ids(list), []string{"n_6", "n_5", "n_4"}) {
		t.Errorf("after the sweep: %v", ids(list))
	}
}

func testNoticesMarkRead(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	mustPut(t, s, 200, notice("n_1", "u_a", 0), notice("n_2", "u_a", time.Minute), notice("n_3", "u_a", 2*time.Minute), notice("n_b", "u_b", 0))
	at := n0.Add(time.Hour)
	// Another attendee's id is not marked.
	if n, err := s.MarkNoticesRead(ctx, "u_a", []string{"n_1", "n_b"}, at); err != nil || n != 1 {
		t.Errorf("MarkNoticesRead(n_1, n_b) = %d, %v; want 1", n, err)
	}
	list, unread, _ := s.Notices(ctx, "u_a", at, 10)
	if unread != 2 || !list[2].ReadAt.Equal(at) || !list[0].ReadAt.IsZero() {
		t.Errorf("after marking n_1: unread %d, %+v", unread, list)
	}
	if _, u, _ := s.Notices(ctx, "u_b", at, 10); u != 1 {
		t.Errorf("u_b's unread = %d, want 1", u)
	}
	if n, err := s.MarkNoticesRead(ctx, "u_a", nil, at); err != nil || n != 2 {
		t.Errorf("MarkNoticesRead(all) = %d, %v; want 2", n, err)
	}
	if _, u, _ := s.Notices(ctx, "u_a", at, 10); u != 0 {
		t.Errorf("unread after all = %d", u)
	}
}

func testNoticesPrefs(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	if off, err := s.NoticesOff(ctx, "u_a"); err != nil || len(off) != 0 {
		t.Errorf("default off = %v, %v; want none", off, err)
	}
	want := []notify.Category{notify.CategoryLeave, notify.CategoryRecording}
	if err := s.SetNoticesOff(ctx, "u_a", []notify.Category{notify.CategoryRecording, notify.CategoryLeave}); err != nil {
		t.Fatal(err)
	}
	if off, err := s.NoticesOff(ctx, "u_a"); err != nil || !slices.Equal(off, want) {
		t.Errorf("off = %v, %v; want %v", off, err, want)
	}
	if off, _ := s.NoticesOff(ctx, "u_b"); len(off) != 0 {
		t.Errorf("u_b's off = %v", off)
	}
	if err := s.SetNoticesOff(ctx, "u_a", nil); err != nil {
		t.Fatal(err)
	}
	if off, _ := s.NoticesOff(ctx, "u_a"); len(off) != 0 {
		t.Errorf("after clearing: %v", off)
	}
}

func testSeatHolders(t *testing.T, s NoticeStore) {
	ctx := context.Background()
	if _, err := s.SaveConference(ctx, Sample("seats"), 0); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, reserveOp("u_a", "ARC301"), reserveOp("u_b", "ARC301"), reserveOp("u_c", "ARC301"))
	mustApply(t, s, reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_c", SessionID: "ARC301", State: reservation.StateCancelled, At: t0})
	got, err := s.SeatHolders(ctx, "ARC301")
	if err != nil || !slices.Equal(got, []string{"u_a", "u_b"}) {
		t.Errorf("SeatHolders = %v, %v; want u_a u_b (u_c cancelled)", got, err)
	}
	mustApply(t, s, reservation.Op{Kind: reservation.OpCheckIn, Attendee: "u_b", SessionID: "ARC301", At: t0},
		reservation.Op{Kind: reservation.OpCheckIn, Attendee: "u_walkup", SessionID: "ARC301", At: t0})
	if got, err := s.CheckedIn(ctx, "ARC301"); err != nil || !slices.Equal(got, []string{"u_b", "u_walkup"}) {
		t.Errorf("CheckedIn = %v, %v; want u_b u_walkup", got, err)
	}
	if got, _ := s.CheckedIn(ctx, "other"); len(got) != 0 {
		t.Errorf("CheckedIn(other) = %v", got)
	}
	mustApply(t, s, reservation.Op{Kind: reservation.OpCancelSession, SessionID: "ARC301", At: t0},
		reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_a", SessionID: "ARC301", State: reservation.StateSessionCancelled, At: t0})
	if got, _ := s.SeatHolders(ctx, "ARC301"); !slices.Equal(got, []string{"u_a", "u_b"}) {
		t.Errorf("after the session's cancellation: %v; its holders still count", got)
	}
}
