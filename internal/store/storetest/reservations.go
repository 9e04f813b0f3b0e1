package storetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"venuehop/internal/reservation"
	"venuehop/internal/store"
)

// SeatStore is a backend that also keeps seats.
type SeatStore interface {
	store.Store
	reservation.Store
}

// RunReservations runs the seat conformance suite. open must return a new,
// empty store for each call; the suite closes it. Every test stores
// Sample("seats") first: its reservable session ARC301 has 100 seats.
func RunReservations(t *testing.T, open func(t *testing.T) SeatStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s SeatStore)
	}{
		{"ReserveAndLoad", testReserveAndLoad},
		{"EndLapseCancel", testEndLapseCancel},
		{"OffersHoldSeats", testOffersHoldSeats},
		{"WaitlistPositions", testWaitlistPositions},
		{"IdempotencyAndSettings", testIdempotencyAndSettings},
		{"FailedApplyWritesNothing", testFailedApplyWritesNothing},
		{"CheckFindsOverbooking", testCheckFindsOverbooking},
		{"MixedBatchInOrder", testMixedBatchInOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			if _, err := s.SaveConference(context.Background(), Sample("seats"), 0); err != nil {
				t.Fatalf("SaveConference: %v", err)
			}
			tt.run(t, s)
		})
	}
}

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func mustApply(t *testing.T, s SeatStore, ops ...reservation.Op) {
	t.Helper()
	if err := s.Apply(context.Background(), ops); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func mustLoad(t *testing.T, s SeatStore) *reservation.Stored {
	t.Helper()
	st, err := s.LoadSeats(context.Background(), time.Time{})
	if err != nil {
		t.Fatalf("LoadSeats: %v", err)
	}
	return st
}

func healthy(t *testing.T, s SeatStore) {
	t.Helper()
	problems, err := s.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(problems) > 0 {
		t.Errorf("Check found problems: %q", problems)
	}
}

func reserveOp(attendee, session string) reservation.Op {
	return reservation.Op{Kind: reservation.OpReserve, Attendee: attendee, SessionID: session, At: t0}
}

func testReserveAndLoad(t *testing.T, s SeatStore) {
	mustApply(t, s, reserveOp("u_a", "ARC301"), reserveOp("u_b", "ARC301"))
	st := mustLoad(t, s)
	if len(st.Reservations) != 2 || st.Reservations[0].Attendee != "u_a" || st.Reservations[0].SessionID != "ARC301" ||
		!st.Reservations[0].Created.Equal(t0) || st.Reservations[0].Status != reservation.StateActive {
		t.Fatalf("loaded reservations %+v", st.Reservations)
	}
	list, err := s.AttendeeReservations(context.Background(), "u_b")
	if err != nil || len(list) != 1 || list[0].SessionID != "ARC301" {
		t.Fatalf("AttendeeReservations(u_b) = %+v, %v", list, err)
	}
	// After a cancellation the same attendee may reserve again: history
	// rows do not block it.
	mustApply(t, s, reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_b", SessionID: "ARC301", State: reservation.StateCancelled, At: t0},
		reserveOp("u_b", "ARC301"),
		reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_b", SessionID: "ARC301", State: reservation.StateCancelled, At: t0},
		reserveOp("u_b", "ARC301"))
	// The same attendee cannot hold the same session twice, whatever the
	// caller does: the database refuses.
	if err := s.Apply(context.Background(), []reservation.Op{reserveOp("u_a", "ARC301")}); err == nil {
		t.Errorf("a second active reservation for the same attendee and session was accepted")
	}
	healthy(t, s)
}

func testEndLapseCancel(t *testing.T, s SeatStore) {
	ctx := context.Background()
	mustApply(t, s, reserveOp("u_a", "ARC301"), reserveOp("u_b", "ARC301"), reserveOp("u_c", "ARC301"),
		reservation.Op{Kind: reservation.OpCheckIn, Attendee: "u_b", SessionID: "ARC301", At: t0},
		reservation.Op{Kind: reservation.OpCheckIn, Attendee: "u_walkup", SessionID: "ARC301", At: t0},
		reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_c", SessionID: "ARC301", State: reservation.StateCancelled, At: t0})
	mustApply(t, s, reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_a", SessionID: "ARC301", State: reservation.StateLapsed, At: t0},
		reservation.Op{Kind: reservation.OpWaitAdd, Attendee: "u_w", SessionID: "ARC301", Seq: 1, At: t0},
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_o", SessionID: "ARC301", At: t0, Expires: t0.Add(time.Hour)},
		reservation.Op{Kind: reservation.OpLapseSession, SessionID: "ARC301", At: t0})
	st := mustLoad(t, s)
	if len(st.Reservations) != 1 || st.Reservations[0].Attendee != "u_b" || st.Reservations[0].CheckedIn == nil {
		t.Errorf("after the release only the checked-in u_b stays: %+v", st.Reservations)
	}
	if len(st.Waitlist) != 0 || len(st.Offers) != 0 {
		t.Errorf("the release left waitlist %+v and offers %+v", st.Waitlist, st.Offers)
	}
	if o, _, _ := s.OfferByID(ctx, "o_1"); o.State != reservation.OfferExpired {
		t.Errorf("offer after the release: %+v", o)
	}
	if len(st.CheckIns) != 2 {
		t.Errorf("check-ins %+v, want u_b and the walk-up", st.CheckIns)
	}
	a, _ := s.AttendeeReservations(ctx, "u_a")
	c, _ := s.AttendeeReservations(ctx, "u_c")
	if len(a) != 1 || a[0].Status != reservation.StateLapsed || len(c) != 0 {
		t.Errorf("u_a %+v (want lapsed), u_c %+v (own cancellation hidden)", a, c)
	}
	healthy(t, s)
	mustApply(t, s, reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_b", SessionID: "ARC301", State: reservation.StateSessionCancelled, At: t0},
		reservation.Op{Kind: reservation.OpCancelSession, SessionID: "ARC301", At: t0},
		// Ending what is no longer active changes nothing.
		reservation.Op{Kind: reservation.OpEndReservation, Attendee: "u_b", SessionID: "ARC301", State: reservation.StateCancelled, At: t0})
	if st := mustLoad(t, s); len(st.Reservations) != 0 {
		t.Errorf("after cancelling the session: %+v", st.Reservations)
	}
	healthy(t, s)
}

func testOffersHoldSeats(t *testing.T, s SeatStore) {
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	mustApply(t, s,
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_a", SessionID: "ARC301", At: t0, Expires: exp},
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_2", Attendee: "u_b", SessionID: "ARC301", At: t0, Expires: exp})
	st := mustLoad(t, s)
	if len(st.Offers) != 2 || !st.Offers[0].ExpiresAt.Equal(exp) {
		t.Fatalf("open offers %+v", st.Offers)
	}
	mustApply(t, s, reservation.Op{Kind: reservation.OpOfferEnd, OfferID: "o_1", State: reservation.OfferDeclined, At: t0},
		// Ending an offer twice changes nothing.
		reservation.Op{Kind: reservation.OpOfferEnd, OfferID: "o_1", State: reservation.OfferExpired, At: t0})
	o, ok, err := s.OfferByID(ctx, "o_1")
	if err != nil || !ok || o.State != reservation.OfferDeclined || o.Attendee != "u_a" {
		t.Errorf("OfferByID(o_1) = %+v %v %v", o, ok, err)
	}
	if _, ok, _ := s.OfferByID(ctx, "o_nope"); ok {
		t.Errorf("an unknown offer was found")
	}
	open, err := s.AttendeeOffers(ctx, "u_b", reservation.OfferOpen)
	if err != nil || len(open) != 1 || open[0].ID != "o_2" {
		t.Errorf("AttendeeOffers(u_b) = %+v, %v", open, err)
	}
	healthy(t, s)
}

func testWaitlistPositions(t *testing.T, s SeatStore) {
	ctx := context.Background()
	mustApply(t, s,
		reservation.Op{Kind: reservation.OpWaitAdd, Attendee: "u_a", SessionID: "ARC301", Seq: 1, At: t0},
		reservation.Op{Kind: reservation.OpWaitAdd, Attendee: "u_b", SessionID: "ARC301", Seq: 2, At: t0},
		reservation.Op{Kind: reservation.OpWaitAdd, Attendee: "u_c", SessionID: "ARC301", Seq: 3, At: t0},
		reservation.Op{Kind: reservation.OpWaitRemove, Attendee: "u_a", SessionID: "ARC301"})
	places, err := s.AttendeeWaitlist(ctx, "u_c")
	if err != nil || len(places) != 1 || places[0].Position != 2 {
		t.Errorf("AttendeeWaitlist(u_c) = %+v, %v; want position 2", places, err)
	}
	st := mustLoad(t, s)
	if len(st.Waitlist) != 2 || st.Waitlist[0].Attendee != "u_b" || st.Waitlist[1].Seq != 3 {
		t.Errorf("waitlist %+v", st.Waitlist)
	}
}

func testIdempotencyAndSettings(t *testing.T, s SeatStore) {
	ctx := context.Background()
	old, recent := t0.Add(-48*time.Hour), t0
	mustApply(t, s,
		reservation.Op{Kind: reservation.OpIdempotency, Attendee: "u_a", Key: "k1", Hash: []byte{1, 2}, Body: []byte(`{"results":[]}`), At: recent},
		reservation.Op{Kind: reservation.OpIdempotency, Attendee: "u_a", Key: "k0", Hash: []byte{3}, Body: []byte(`{}`), At: old},
		reservation.Op{Kind: reservation.OpSetAutoAccept, Attendee: "u_a", Flag: true},
		reservation.Op{Kind: reservation.OpSetAutoAccept, Attendee: "u_b", Flag: true},
		reservation.Op{Kind: reservation.OpSetAutoAccept, Attendee: "u_b", Flag: false})
	st, err := s.LoadSeats(ctx, t0.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Idempotency) != 1 || st.Idempotency[0].Key != "k1" || !bytes.Equal(st.Idempotency[0].Body, []byte(`{"results":[]}`)) {
		t.Errorf("idempotency records since a day ago: %+v", st.Idempotency)
	}
	if strings.Join(st.AutoAccept, ",") != "u_a" {
		t.Errorf("auto-accept %v, want [u_a]", st.AutoAccept)
	}
	mustApply(t, s, reservation.Op{Kind: reservation.OpPruneIdempotency, At: t0.Add(-24 * time.Hour)})
	if st := mustLoad(t, s); len(st.Idempotency) != 1 {
		t.Errorf("after pruning: %+v", st.Idempotency)
	}
}

func testFailedApplyWritesNothing(t *testing.T, s SeatStore) {
	mustApply(t, s, reserveOp("u_a", "ARC301"))
	// The second op violates the one-active-reservation rule: the whole
	// batch, including the valid first op, must be rolled back.
	err := s.Apply(context.Background(), []reservation.Op{reserveOp("u_b", "ARC301"), reserveOp("u_a", "ARC301")})
	if err == nil {
		t.Fatal("Apply of a batch with a duplicate succeeded")
	}
	if st := mustLoad(t, s); len(st.Reservations) != 1 {
		t.Errorf("a failed batch left %d reservations, want 1", len(st.Reservations))
	}
	healthy(t, s)
}

func testCheckFindsOverbooking(t *testing.T, s SeatStore) {
	// A seat taken while ARC301 had 100, then the organizer's revision
	// cancels it with capacity 0 and no engine ends the seat: the seat
	// breaks two rules. (Written through a new revision rather than by
	// reserving a cancelled session: a backend may refuse that in Apply.)
	ctx := context.Background()
	mustApply(t, s, reserveOp("u_a", "ARC301"))
	_, rev, err := s.LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := Sample("seats, ARC301 cancelled")
	zero := 0
	c.Sessions[1].Capacity, c.Sessions[1].Cancelled = &zero, true
	if c.Sessions[1].ID != "ARC301" {
		t.Fatalf("Sample's second session is %s, want ARC301", c.Sessions[1].ID)
	}
	if _, err := s.SaveConference(ctx, c, rev); err != nil {
		t.Fatal(err)
	}
	problems, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), "ARC301") {
		t.Errorf("Check did not name ARC301: %q", problems)
	}
}

// testMixedBatchInOrder: one batch of every kind, with the runs a group
// commit makes (quota ops between them, the same attendee and session
// reserved, ended and reserved again, an upsert of one key twice), gives
// what the ops give one by one, counters included.
func testMixedBatchInOrder(t *testing.T, s SeatStore) {
	quota := func(a string) reservation.Op {
		return reservation.Op{Kind: reservation.OpQuota, Attendee: a, Seq: 1, At: t0}
	}
	end := func(a string, state reservation.State) reservation.Op {
		return reservation.Op{Kind: reservation.OpEndReservation, Attendee: a, SessionID: "ARC301", State: state, At: t0}
	}
	wait := func(a string, seq int64) reservation.Op {
		return reservation.Op{Kind: reservation.OpWaitAdd, Attendee: a, SessionID: "ARC301", Seq: seq, At: t0}
	}
	idem := func(body string) reservation.Op {
		return reservation.Op{Kind: reservation.OpIdempotency, Attendee: "u_a", Key: "k1", Hash: bytes.Repeat([]byte{1}, 32), Body: []byte(body), At: t0}
	}
	mustApply(t, s,
		quota("u_a"), reserveOp("u_a", "ARC301"), quota("u_b"), reserveOp("u_b", "ARC301"), quota("u_c"), reserveOp("u_c", "ARC301"),
		end("u_b", reservation.StateCancelled), quota("u_b"), end("u_c", reservation.StateLapsed),
		reserveOp("u_b", "ARC301"),
		wait("u_w", 1), wait("u_x", 2), wait("u_w", 3),
		reservation.Op{Kind: reservation.OpWaitRemove, Attendee: "u_x", SessionID: "ARC301"},
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_w", SessionID: "ARC301", At: t0, Expires: t0.Add(time.Hour)},
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_2", Attendee: "u_y", SessionID: "ARC301", At: t0, Expires: t0.Add(time.Hour)},
		reservation.Op{Kind: reservation.OpOfferEnd, OfferID: "o_2", State: reservation.OfferDeclined, At: t0},
		idem(`{"first":1}`), idem(`{"second":2}`),
		reservation.Op{Kind: reservation.OpCheckIn, Attendee: "u_a", SessionID: "ARC301", At: t0},
	)
	st := mustLoad(t, s)
	active := map[string]bool{}
	for _, r := range st.Reservations {
		active[r.Attendee] = true
	}
	if len(st.Reservations) != 2 || !active["u_a"] || !active["u_b"] {
		t.Errorf("active reservations %+v, want u_a and u_b", st.Reservations)
	}
	if len(st.Waitlist) != 1 || st.Waitlist[0].Attendee != "u_w" || st.Waitlist[0].Seq != 3 {
		t.Errorf("waitlist %+v, want u_w alone with seq 3", st.Waitlist)
	}
	if len(st.Offers) != 1 || st.Offers[0].ID != "o_1" {
		t.Errorf("open offers %+v, want o_1", st.Offers)
	}
	if len(st.Idempotency) != 1 || string(st.Idempotency[0].Body) != `{"second":2}` {
		t.Errorf("idempotency %+v, want the second answer", st.Idempotency)
	}
	if len(st.CheckIns) != 1 {
		t.Errorf("check-ins %+v", st.CheckIns)
	}
	list, err := s.AttendeeReservations(context.Background(), "u_c")
	if err != nil || len(list) != 1 || list[0].Status != reservation.StateLapsed {
		t.Errorf("u_c's reservations %+v, %v; want one lapsed", list, err)
	}
	// Check compares the counters with the rows: 2 reserved, 1 held.
	healthy(t, s)
}
