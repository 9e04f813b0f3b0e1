package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/notify"
)

// TestLeaveNowNotices: an attendee's accepted plan holds two sessions in
// different venues; the "leave now" notice for the second goes once, at
// its leave-by instant less the lead (not before), with the trip, one
// topic for the session, urgent, of no use after the start (or the
// reserved seat's release). A session dropped from the plan sends nothing.
func TestLeaveNowNotices(t *testing.T) {
	a, srv, _ := newAuthApp(t)
	base := srv.URL
	tok := signup(t, srv, "walker@example.com", "correct horse battery")
	attendee := userID(t, base, tok)
	other := signup(t, srv, "sitter@example.com", "correct horse battery")
	snap := a.Snapshot()
	first, second := apartPair(t, snap)
	acceptPlanWith(t, a, attendee, first.ID, second.ID)
	acceptPlanWith(t, a, userID(t, base, other), first.ID)

	ctx := context.Background()
	d, ok, err := a.Plans().Departure(ctx, attendee, second.ID)
	if err != nil || !ok {
		t.Fatalf("departure into %s: %+v %v %v", second.ID, d, ok, err)
	}
	if !d.Start.Equal(second.Start) || !d.LeaveBy.Before(second.Start) || d.LeaveBy.Before(first.End) || d.Minutes <= 0 || d.Where == "" ||
		!d.Until.Equal(second.Start) {
		t.Fatalf("departure %+v for %s after %s", d, second.ID, first.ID)
	}
	if _, ok, _ := a.Plans().Departure(ctx, attendee, first.ID); ok {
		t.Error("the day's first item has a departure (nothing comes before it)")
	}

	r := notify.NewLeaveReminders(&a.live, a.store.Plans, a.Plans(), a.Notices(), nil)
	due := d.LeaveBy.Add(-notify.LeaveLead)
	for _, tc := range []struct {
		at   time.Time
		sent int
	}{
		{second.Start.Add(-2 * time.Hour), 0}, // not yet within the horizon
		{due.Add(-10 * time.Minute), 0},       // scheduled, not due
		{due.Add(-time.Second), 0},            // not due
		{due, 1},                              // due
		{due.Add(30 * time.Second), 0},        // sent once
		{second.Start.Add(-time.Minute), 0},   // nothing else due
	} {
		if got := r.Pass(ctx, tc.at); got != tc.sent {
			t.Errorf("pass at %s: %d notices, want %d", tc.at.Format("15:04:05"), got, tc.sent)
		}
	}
	settle(a)
	got := myNotices(t, base, tok)
	if len(got.Notices) != 1 {
		t.Fatalf("notices: %+v", got)
	}
	n := got.Notices[0]
	if n.Category != notify.CategoryLeave || n.Topic != "leave-"+second.ID || n.Urgency != notify.UrgencyHigh || n.SessionID != second.ID ||
		!n.Expires.Equal(second.Start) || n.Title != "Leave in 2 min for "+second.Title || !strings.Contains(n.Body, d.Where) || n.URL != "/me/now" {
		t.Errorf("leave notice %+v", n.Notice)
	}
	if got := myNotices(t, base, other); len(got.Notices) != 0 {
		t.Errorf("the attendee planning only the first session got %+v", got)
	}

	// Dropped from the plan after it was scheduled: nothing goes.
	r = notify.NewLeaveReminders(&a.live, a.store.Plans, a.Plans(), a.Notices(), nil)
	r.Pass(ctx, due.Add(-10*time.Minute))
	acceptPlanWith(t, a, attendee, first.ID)
	if got := r.Pass(ctx, due); got != 0 {
		t.Errorf("%s dropped from the plan: %d notices", second.ID, got)
	}
}

// apartPair finds two sessions of one day in different venues, the second
// starting 75 to 150 minutes after the first ends (time for a shuttle).
func apartPair(t *testing.T, snap *conference.Snapshot) (*conference.Session, *conference.Session) {
	t.Helper()
	venue := func(s *conference.Session) string {
		r, _ := snap.Room(s.RoomID)
		if r == nil {
			return ""
		}
		return r.VenueID
	}
	ss := snap.Conf.Sessions
	for i := range ss {
		a := &ss[i]
		if a.Cancelled || !a.Scheduled() || venue(a) == "" {
			continue
		}
		for j := range ss {
			b := &ss[j]
			gap := b.Start.Sub(a.End)
			if b.Cancelled || !b.Scheduled() || venue(b) == "" || venue(b) == venue(a) || gap < 75*time.Minute || gap > 150*time.Minute ||
				snap.Day(a.Start) != snap.Day(b.Start) {
				continue
			}
			return a, b
		}
	}
	t.Fatal("no two sessions of one day in different venues")
	return nil, nil
}
