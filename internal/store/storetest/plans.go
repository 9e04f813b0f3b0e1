package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/calfeed"
	"venuehop/internal/errcode"
	"venuehop/internal/planner"
)

// RunPlans is the conformance suite of agenda.PlanStore. open returns the
// plan store of a new, empty store (closed when the test ends).
func RunPlans(t *testing.T, open func(t *testing.T) agenda.PlanStore) {
	t.Helper()
	t.Run("SaveAcceptReject", func(t *testing.T) { testPlans(t, open(t)) })
	t.Run("Locks", func(t *testing.T) { testLocks(t, open(t)) })
}

func storedPlan(t *testing.T, id, attendee, origin string, created time.Time, sessions ...string) agenda.StoredPlan {
	t.Helper()
	p := agenda.Proposal{ID: id, Created: created, Origin: origin, State: agenda.StateProposed}
	for _, s := range sessions {
		p.Plan.Items = append(p.Plan.Items, planner.PlanItem{Item: planner.Item{SessionID: s}})
	}
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return agenda.StoredPlan{ID: id, Attendee: attendee, Created: created, Origin: origin, State: agenda.StateProposed, Body: body, Sessions: sessions}
}

func testPlans(t *testing.T, s agenda.PlanStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, p := range []agenda.StoredPlan{
		storedPlan(t, "p_1", "u_a", "request", at, "S1", "S2"),
		storedPlan(t, "p_2", "u_a", "request", at, "S2", "S3"), // same instant: the later save is the latest
		storedPlan(t, "p_3", "u_a", "change", at.Add(time.Minute), "S3"),
		storedPlan(t, "p_b", "u_b", "request", at, "S1"),
	} {
		if err := s.SavePlan(ctx, p); err != nil {
			t.Fatalf("SavePlan %s: %v", p.ID, err)
		}
	}
	if p, err := s.Plan(ctx, "u_a", "p_1"); err != nil || p.ID != "p_1" || !p.Created.Equal(at) || p.Origin != "request" {
		t.Errorf("Plan(p_1) = %+v, %v", p, err)
	}
	if _, err := s.Plan(ctx, "u_b", "p_1"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("another attendee's plan: %v, want not_found", err)
	}
	if p, ok, err := s.LatestProposal(ctx, "u_a", "request"); err != nil || !ok || p.ID != "p_2" {
		t.Errorf("LatestProposal(request) = %s %v %v, want p_2", p.ID, ok, err)
	}
	if _, ok, err := s.AcceptedPlan(ctx, "u_a"); err != nil || ok {
		t.Errorf("AcceptedPlan before any accept: %v %v", ok, err)
	}

	mustAccept := func(id string) {
		t.Helper()
		if err := s.AcceptPlan(ctx, "u_a", id); err != nil {
			t.Fatalf("AcceptPlan %s: %v", id, err)
		}
	}
	mustAccept("p_1")
	mustAccept("p_1") // twice is once
	attendees := func(session string) []string {
		t.Helper()
		list, err := s.PlanAttendees(ctx, session)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if got := attendees("S1"); !slices.Equal(got, []string{"u_a"}) {
		t.Errorf("PlanAttendees(S1) = %v (u_b's plan is not accepted)", got)
	}
	mustAccept("p_2")
	if p, ok, _ := s.AcceptedPlan(ctx, "u_a"); !ok || p.ID != "p_2" {
		t.Errorf("AcceptedPlan after accepting p_2 = %s", p.ID)
	}
	if p, _ := s.Plan(ctx, "u_a", "p_1"); p.State != agenda.StateSuperseded {
		t.Errorf("p_1 after p_2 was accepted: %s, want superseded", p.State)
	}
	if p, _ := s.Plan(ctx, "u_a", "p_3"); p.State != agenda.StateRejected {
		t.Errorf("the change proposal p_3 after p_2 was accepted: %s, want rejected", p.State)
	}
	if len(attendees("S1")) != 0 || len(attendees("S3")) != 1 {
		t.Errorf("PlanAttendees follow the accepted plan: S1 %v, S3 %v", attendees("S1"), attendees("S3"))
	}
	if err := s.RejectPlan(ctx, "u_a", "p_2"); err != nil {
		t.Errorf("RejectPlan of the accepted plan: %v", err)
	}
	if p, _, _ := s.AcceptedPlan(ctx, "u_a"); p.ID != "p_2" {
		t.Errorf("rejecting keeps an accepted plan: %s", p.ID)
	}
	if err := s.RejectPlan(ctx, "u_b", "p_2"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("rejecting another attendee's plan: %v", err)
	}
	if err := s.AcceptPlan(ctx, "u_a", "p_nope"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("accepting a missing plan: %v", err)
	}
}

// FeedStore is a backend's calendar feeds and the accounts they belong to.
type FeedStore interface {
	calfeed.Store
	Accounts() account.Store
}

// RunCalendarFeeds is the conformance suite of calfeed.Store.
func RunCalendarFeeds(t *testing.T, open func(t *testing.T) FeedStore) {
	t.Helper()
	t.Run("SetRotateResolve", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		for _, id := range []string{"u_a", "u_b"} {
			if err := s.Accounts().CreateUser(ctx, account.User{ID: id, Email: id + "@example.com", Name: id, Role: account.Attendee, CreatedAt: accountEpoch}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, ok, err := s.CalendarFeed(ctx, "u_a"); ok || err != nil {
			t.Errorf("a feed before any was made: %v %v", ok, err)
		}
		h1, h2, hb := account.HashToken("one"), account.HashToken("two"), account.HashToken("bee")
		for _, step := range []struct {
			user string
			gen  int64
			hash account.TokenHash
		}{{"u_a", 1, h1}, {"u_b", 1, hb}, {"u_a", 2, h2}} {
			if err := s.SetCalendarFeed(ctx, step.user, step.gen, step.hash, accountEpoch); err != nil {
				t.Fatalf("SetCalendarFeed %s gen %d: %v", step.user, step.gen, err)
			}
		}
		if gen, h, ok, err := s.CalendarFeed(ctx, "u_a"); !ok || err != nil || gen != 2 || h != h2 {
			t.Errorf("CalendarFeed(u_a) = %d %v %v, want gen 2", gen, ok, err)
		}
		for _, tt := range []struct {
			hash account.TokenHash
			want string
		}{{h2, "u_a"}, {hb, "u_b"}, {h1, ""}} {
			id, err := s.CalendarFeedUser(ctx, tt.hash)
			if tt.want == "" && !errcode.Is(err, errcode.NotFound) || tt.want != "" && id != tt.want {
				t.Errorf("CalendarFeedUser = %q, %v; want %q", id, err, fmt.Sprint(tt.want))
			}
		}
	})
}
