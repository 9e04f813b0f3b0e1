package reservation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
)

func TestBatchStatuses(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	e.reserve("u_holder", "S7")
	tests := []struct {
		name     string
		attendee string
		ids      []string
		want     []reservation.Status
		conflict string
	}{
		{"one", "u_a", []string{"C1"}, []reservation.Status{reservation.Reserved}, ""},
		{"again", "u_a", []string{"C1"}, []reservation.Status{reservation.Already}, ""},
		{"unknown, not reservable, cancelled", "u_b", []string{"NOPE", "NR", "CX", "D2"},
			[]reservation.Status{reservation.Unknown, reservation.NotReservable, reservation.Cancelled, reservation.Reserved}, ""},
		{"conflict inside one batch", "u_c", []string{"S7", "OVL"},
			[]reservation.Status{reservation.Reserved, reservation.Conflict}, "S7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.reserve(tt.attendee, tt.ids...)
			for i, r := range res {
				if r.SessionID != tt.ids[i] || r.Status != tt.want[i] {
					t.Errorf("result %d = %+v, want %s %s", i, r, tt.ids[i], tt.want[i])
				}
				if r.Status == reservation.Conflict && r.ConflictWith != tt.conflict {
					t.Errorf("conflictWith = %q, want %q", r.ConflictWith, tt.conflict)
				}
			}
		})
	}
	// Only reserved wrote anything: NR, CX and NOPE have no seats taken.
	for _, id := range []string{"NR", "CX", "NOPE", "OVL"} {
		if r, h := e.seats(id); r != 0 || h != 0 {
			t.Errorf("%s: reserved %d held %d after refusals", id, r, h)
		}
	}
	if r, _ := e.seats("S7"); r != 2 {
		t.Errorf("S7 reserved %d, want 2", r)
	}
}

func TestBadBatches(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("X%d", i)
	}
	tests := []struct {
		name string
		ids  []string
		key  string
		want errcode.Code
	}{
		{"empty", nil, "", errcode.Invalid},
		{"eleven", eleven, "", errcode.Invalid},
		{"duplicates", []string{"C1", "C2", "C1"}, "", errcode.Invalid},
		{"empty id", []string{""}, "", errcode.Invalid},
		{"long key", []string{"C1"}, strings.Repeat("k", 201), errcode.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.engine.Reserve(context.Background(), "u_a", tt.ids, tt.key)
			if !errcode.Is(err, tt.want) {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	if r, _ := e.seats("C1"); r != 0 {
		t.Errorf("a refused batch reserved %d seats", r)
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	first, err := e.engine.Reserve(ctx, "u_a", []string{"C1", "C2"}, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.engine.Reserve(ctx, "u_a", []string{"C1", "C2"}, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(again.Body) != string(first.Body) || !again.Replayed || again.Results[0].Status != reservation.Reserved {
		t.Errorf("retry = %s (replayed %v), want the first answer %s", again.Body, again.Replayed, first.Body)
	}
	if _, err := e.engine.Reserve(ctx, "u_a", []string{"C1"}, "key-1"); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("same key, other body: err = %v, want conflict", err)
	}
	// Another attendee's key space is separate.
	if other, err := e.engine.Reserve(ctx, "u_b", []string{"C1"}, "key-1"); err != nil || other.Results[0].Status != reservation.Reserved {
		t.Errorf("u_b with the same key: %+v %v", other, err)
	}
	// The key survives a restart (it is stored with the decision).
	e.restart()
	after, err := e.engine.Reserve(ctx, "u_a", []string{"C1", "C2"}, "key-1")
	if err != nil || string(after.Body) != string(first.Body) {
		t.Errorf("after restart: %s %v", after.Body, err)
	}
	if r, _ := e.seats("C1"); r != 2 {
		t.Errorf("C1 reserved %d, want 2 (no double booking)", r)
	}
}

func TestDailyCap(t *testing.T) {
	e := newEnv(t, reservation.Config{DailyCap: 2})
	got := e.reserve("u_a", "C1", "C2", "C3", "D2")
	want := []reservation.Status{reservation.Reserved, reservation.Reserved, reservation.CapReached, reservation.Reserved}
	for i := range want {
		if got[i].Status != want[i] {
			t.Errorf("%s: %s, want %s", got[i].SessionID, got[i].Status, want[i])
		}
	}
}

func TestNotOpenUntilTheOpeningInstant(t *testing.T) {
	open := at(1, 9, 0)
	e := newEnv(t, reservation.Config{Open: open})
	e.clock.Set(open.Add(-time.Millisecond))
	res := e.reserve("u_a", "C1")[0]
	if res.Status != reservation.NotOpen || res.OpensAt == nil || !res.OpensAt.Equal(open) {
		t.Fatalf("before opening: %+v", res)
	}
	if _, off := res.OpensAt.Zone(); off != -8*3600 {
		t.Errorf("opensAt is not in the conference zone: %s", res.OpensAt)
	}
	if _, err := e.engine.JoinWaitlist(context.Background(), "u_a", "C1"); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("joining a waitlist before opening: %v", err)
	}
	e.clock.Set(open)
	if s := e.status("u_a", "C1"); s != reservation.Reserved {
		t.Errorf("at the opening instant: %s", s)
	}
}

func TestReleaseAtExactlyTheInstant(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	release := at(1, 9, 50) // S7 starts at 10:00; lead 10 min
	e.reserve("u_a", "S7")
	e.reserve("u_b", "S7")
	if _, err := e.engine.CheckIn(ctx, "S7", "u_b"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(release.Add(-time.Nanosecond))
	e.tick()
	if s := e.status("u_c", "S7"); s != reservation.Reserved {
		t.Errorf("just before the release: %s", s)
	}
	if r, _ := e.seats("S7"); r != 3 {
		t.Errorf("reserved %d before the release, want 3", r)
	}
	e.clock.Set(release)
	if s := e.status("u_d", "S7"); s != reservation.Closed {
		t.Errorf("at the release instant: %s, want closed", s)
	}
	if r, _ := e.seats("S7"); r != 1 {
		t.Errorf("reserved %d at the release, want 1 (only the checked-in u_b)", r)
	}
	list, _ := e.engine.Reservations(ctx, "u_a")
	if len(list) != 1 || list[0].Status != reservation.StateLapsed {
		t.Errorf("u_a's reservation %+v, want lapsed", list)
	}
	list, _ = e.engine.Reservations(ctx, "u_b")
	if len(list) != 1 || list[0].Status != reservation.StateActive || list[0].CheckedIn == nil {
		t.Errorf("u_b's reservation %+v, want active and checked in", list)
	}
	if err := e.engine.Cancel(ctx, "u_b", "S7"); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("cancelling after the release: %v", err)
	}
	count, _ := e.engine.Count("S7")
	if reservation.Band(count.Capacity, count.Available(), count.Release, release) != "walkup" {
		t.Errorf("band at the release is not walkup")
	}
}

func TestCheckInIsIdempotent(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "C1")
	first, err := e.engine.CheckIn(ctx, "C1", "u_a")
	if err != nil || !first.Reserved || first.Already {
		t.Fatalf("first scan %+v %v", first, err)
	}
	e.clock.Set(at(1, 8, 5))
	second, err := e.engine.CheckIn(ctx, "C1", "u_a")
	if err != nil || !second.Already || !second.CheckedInAt.Equal(first.CheckedInAt) {
		t.Errorf("second scan %+v %v", second, err)
	}
	walk, err := e.engine.CheckIn(ctx, "C1", "u_walkup")
	if err != nil || walk.Reserved {
		t.Errorf("walk-up scan %+v %v", walk, err)
	}
	if _, err := e.engine.CheckIn(ctx, "NOPE", "u_a"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("unknown session: %v", err)
	}
	occ := e.engine.Occupancy("2026-12-01")
	for _, o := range occ {
		if o.SessionID == "C1" && (o.CheckedIn != 2 || o.Reserved != 1 || o.Capacity != 50) {
			t.Errorf("occupancy %+v", o)
		}
	}
	e.restart()
	again, err := e.engine.CheckIn(ctx, "C1", "u_a")
	if err != nil || !again.Already {
		t.Errorf("after restart %+v %v", again, err)
	}
}

func TestWaitlistOfferExpiryAndHandOver(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	if _, err := e.engine.JoinWaitlist(ctx, "u_x", "C1"); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("joining the waitlist of a session with seats: %v", err)
	}
	for i, who := range []string{"u_b", "u_c"} {
		pos, err := e.engine.JoinWaitlist(ctx, who, "ONE")
		if err != nil || pos != i+1 {
			t.Fatalf("%s joins: position %d %v", who, pos, err)
		}
	}
	if pos, _ := e.engine.JoinWaitlist(ctx, "u_b", "ONE"); pos != 1 {
		t.Errorf("joining again: position %d, want 1", pos)
	}
	if err := e.engine.Cancel(ctx, "u_a", "ONE"); err != nil {
		t.Fatal(err)
	}
	offers := e.offers("u_b")
	if len(offers) != 1 || offers[0].SessionID != "ONE" {
		t.Fatalf("u_b's offers %+v", offers)
	}
	// 8:00, release 12:50: the full 60-minute window.
	if want := at(1, 9, 0); !offers[0].ExpiresAt.Equal(want) {
		t.Errorf("offer expires %s, want %s", offers[0].ExpiresAt, want)
	}
	if r, h := e.seats("ONE"); r != 0 || h != 1 {
		t.Errorf("ONE reserved %d held %d, want 0/1", r, h)
	}
	if s := e.status("u_z", "ONE"); s != reservation.Full {
		t.Errorf("a held seat is not free: %s", s)
	}
	e.clock.Set(offers[0].ExpiresAt)
	e.tick()
	if _, err := e.engine.Accept(ctx, "u_b", offers[0].ID); !errcode.Is(err, errcode.Conflict) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("accepting an expired offer: %v", err)
	}
	next := e.offers("u_c")
	if len(next) != 1 {
		t.Fatalf("the seat did not pass to u_c: %+v", next)
	}
	if _, err := e.engine.Accept(ctx, "u_b", next[0].ID); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("accepting someone else's offer: %v", err)
	}
	res, err := e.engine.Accept(ctx, "u_c", next[0].ID)
	if err != nil || res.Status != reservation.Reserved {
		t.Fatalf("accept: %+v %v", res, err)
	}
	if r, h := e.seats("ONE"); r != 1 || h != 0 {
		t.Errorf("ONE reserved %d held %d, want 1/0", r, h)
	}
	e.notes.mu.Lock()
	defer e.notes.mu.Unlock()
	if len(e.notes.offers) != 2 {
		t.Errorf("notified offers %+v, want 2", e.notes.offers)
	}
}

func TestOfferWindowShrinks(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.clock.Set(at(1, 12, 30)) // 20 min before ONE's release (12:50)
	e.reserve("u_a", "ONE")
	e.engine.JoinWaitlist(ctx, "u_b", "ONE")
	e.engine.Cancel(ctx, "u_a", "ONE")
	o := e.offers("u_b")
	if len(o) != 1 || !o[0].ExpiresAt.Equal(at(1, 12, 40)) {
		t.Errorf("offer 20 min before the release: %+v, want expiry 12:40 (half the time left)", o)
	}
}

func TestDeclinePassesTheSeat(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	e.engine.JoinWaitlist(ctx, "u_b", "ONE")
	e.engine.JoinWaitlist(ctx, "u_c", "ONE")
	e.engine.Cancel(ctx, "u_a", "ONE")
	o := e.offers("u_b")
	if err := e.engine.Decline(ctx, "u_b", o[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Decline(ctx, "u_b", o[0].ID); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("declining twice: %v", err)
	}
	if len(e.offers("u_c")) != 1 {
		t.Errorf("u_c got no offer after u_b declined")
	}
}

func TestAutoAccept(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	e.engine.JoinWaitlist(ctx, "u_b", "ONE")
	if err := e.engine.SetAutoAccept(ctx, "u_b", true); err != nil {
		t.Fatal(err)
	}
	if on, _ := e.engine.AutoAccept(ctx, "u_b"); !on {
		t.Errorf("setting not kept")
	}
	e.engine.Cancel(ctx, "u_a", "ONE")
	list, _ := e.engine.Reservations(ctx, "u_b")
	if len(list) != 1 || list[0].SessionID != "ONE" {
		t.Errorf("u_b holds %+v, want ONE accepted automatically", list)
	}
	if r, h := e.seats("ONE"); r != 1 || h != 0 {
		t.Errorf("ONE %d/%d", r, h)
	}
	e.restart()
	if on, _ := e.engine.AutoAccept(ctx, "u_b"); !on {
		t.Errorf("setting lost on restart")
	}
}

func TestOfferSkipsWhoCannotMakeIt(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	// u_w1 holds S7 (north, until 11:00): FAR (south, 11:05) is out of
	// reach, NEAR (north, 11:05) is not.
	e.reserve("u_w1", "S7")
	for _, id := range []string{"FAR", "NEAR"} {
		e.reserve("u_holds_"+id, id)
		for _, w := range []string{"u_w1", "u_w2"} {
			if _, err := e.engine.JoinWaitlist(ctx, w, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.engine.Cancel(ctx, "u_holds_FAR", "FAR")
	e.engine.Cancel(ctx, "u_holds_NEAR", "NEAR")
	var w1, w2 []string
	for _, o := range e.offers("u_w1") {
		w1 = append(w1, o.SessionID)
	}
	for _, o := range e.offers("u_w2") {
		w2 = append(w2, o.SessionID)
	}
	if strings.Join(w1, ",") != "NEAR" || strings.Join(w2, ",") != "FAR" {
		t.Errorf("offers: u_w1 %v (want NEAR), u_w2 %v (want FAR)", w1, w2)
	}
	places, _ := e.engine.Waitlist(ctx, "u_w1")
	if len(places) != 1 || places[0].SessionID != "FAR" || places[0].Position != 1 {
		t.Errorf("u_w1 keeps its place on FAR: %+v", places)
	}
}

func TestCapacityIncreaseMakesOffers(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	for _, w := range []string{"u_b", "u_c", "u_d"} {
		e.engine.JoinWaitlist(ctx, w, "ONE")
	}
	three := 3
	rep, err := e.engine.EditSession(ctx, "ONE", reservation.SessionEdit{Capacity: &three})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OffersMade != 2 || len(rep.Changes) != 1 || rep.Changes[0].Kind != "capacity" {
		t.Errorf("report %+v", rep)
	}
	if len(e.offers("u_b")) != 1 || len(e.offers("u_c")) != 1 || len(e.offers("u_d")) != 0 {
		t.Errorf("offers went to the wrong people")
	}
	if c, _ := e.engine.Count("ONE"); c.Capacity != 3 || c.Reserved != 1 || c.Held != 2 {
		t.Errorf("count %+v", c)
	}
	// Below what is reserved is refused.
	zero := 0
	if _, err := e.engine.EditSession(ctx, "ONE", reservation.SessionEdit{Capacity: &zero}); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("capacity below reserved: %v", err)
	}
}

func TestOrganizerEdits(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	for i := range 8 {
		e.reserve(fmt.Sprintf("u_%d", i), "BIG")
	}
	room := "n2"
	rep, err := e.engine.EditSession(ctx, "BIG", reservation.SessionEdit{RoomID: &room})
	if err != nil || rep.Rev != 2 {
		t.Fatalf("move: %+v %v", rep, err)
	}
	start, end := at(2, 15, 0), at(2, 16, 0)
	rep, err = e.engine.EditSession(ctx, "BIG", reservation.SessionEdit{Start: &start, End: &end})
	if err != nil || len(rep.Changes) != 1 || rep.Changes[0].Kind != "moved" {
		t.Fatalf("reschedule: %+v %v", rep, err)
	}
	if se, _ := e.live.Load().Snap.Session("BIG"); !se.Start.Equal(start) {
		t.Errorf("the live conference was not swapped")
	}
	bad := at(2, 14, 0)
	if _, err := e.engine.EditSession(ctx, "BIG", reservation.SessionEdit{End: &bad}); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("end before start: %v", err)
	}
	yes := true
	rep, err = e.engine.EditSession(ctx, "BIG", reservation.SessionEdit{Cancelled: &yes})
	if err != nil || rep.ReservationsCancelled != 8 {
		t.Fatalf("cancel: %+v %v", rep, err)
	}
	if r, _ := e.seats("BIG"); r != 0 {
		t.Errorf("reserved %d after cancellation", r)
	}
	list, _ := e.engine.Reservations(ctx, "u_0")
	if len(list) != 1 || list[0].Status != reservation.StateSessionCancelled {
		t.Errorf("u_0 sees %+v", list)
	}
	if s := e.status("u_new", "BIG"); s != reservation.Cancelled {
		t.Errorf("reserving a cancelled session: %s", s)
	}
	e.notes.mu.Lock()
	kinds := fmt.Sprint(e.notes.changes)
	e.notes.mu.Unlock()
	if !strings.Contains(kinds, "moved") || !strings.Contains(kinds, "cancelled") {
		t.Errorf("changes notified: %s", kinds)
	}
}

func TestRoomChangeKeepsConfirmedSeats(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	// C1 (50 seats by override) is moved to n3, whose 20 seats minus the
	// walk-up share leave 15: the 20 reservations stay.
	for i := range 20 {
		e.reserve(fmt.Sprintf("u_%d", i), "C1")
	}
	rep, err := e.engine.ApplyConference(ctx, func() *conference.Conference {
		c := *e.live.Load().Snap.Conf
		c.Sessions = append([]conference.Session(nil), c.Sessions...)
		for i := range c.Sessions {
			if c.Sessions[i].ID == "C1" {
				c.Sessions[i].Capacity = nil
				c.Sessions[i].RoomID = "n3" // 15 reservable seats
			}
		}
		return &c
	}(), e.live.Load().Snap.Rev)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "capacity kept at 20") {
		t.Errorf("warnings %q", rep.Warnings)
	}
	if c, _ := e.engine.Count("C1"); c.Capacity != 20 || c.Reserved != 20 {
		t.Errorf("C1 %+v", c)
	}
	if _, err := e.engine.ApplyConference(ctx, e.live.Load().Snap.Conf, 1); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("a stale base revision: %v", err)
	}
}

func TestQuota(t *testing.T) {
	e := newEnv(t, reservation.Config{QuotaPerMinute: 5})
	ctx := context.Background()
	e.reserve("u_a", "C1", "C2", "C3", "D2")
	_, err := e.engine.Reserve(ctx, "u_a", []string{"S7", "OVL"}, "")
	wait, ok := reservation.RetryAfter(err)
	if !errcode.Is(err, errcode.RateLimited) || !ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("over the quota: %v (retry after %v)", err, wait)
	}
	e.quota.Set(e.quota.Now().Add(12 * time.Second)) // one token back
	if _, err := e.engine.Reserve(ctx, "u_a", []string{"S7"}, ""); err != nil {
		t.Errorf("after the refill: %v", err)
	}
	// Other attendees have their own bucket.
	e.reserve("u_b", "C1")
}

func TestFailedCommitAnswersUnavailableAndChangesNothing(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	e.store.failNext.Store(true)
	_, err := e.engine.Reserve(ctx, "u_b", []string{"C1"}, "k")
	if !errcode.Is(err, errcode.Unavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if r, _ := e.seats("C1"); r != 0 {
		t.Errorf("a failed commit left %d seats", r)
	}
	if r, _ := e.seats("ONE"); r != 1 {
		t.Errorf("the reload lost ONE's seat")
	}
	res, err := e.engine.Reserve(ctx, "u_b", []string{"C1"}, "k")
	if err != nil || res.Results[0].Status != reservation.Reserved || res.Replayed {
		t.Errorf("retry after the failure: %+v %v", res, err)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t, reservation.Config{})
	ctx := context.Background()
	e.reserve("u_a", "ONE")
	e.reserve("u_a", "C1")
	e.engine.JoinWaitlist(ctx, "u_b", "ONE")
	e.engine.JoinWaitlist(ctx, "u_c", "ONE")
	e.engine.JoinWaitlist(ctx, "u_d", "ONE")
	e.engine.Cancel(ctx, "u_a", "ONE") // offer to u_b
	e.restart()
	if r, h := e.seats("ONE"); r != 0 || h != 1 {
		t.Errorf("ONE after restart %d/%d", r, h)
	}
	if s := e.status("u_a", "C1"); s != reservation.Already {
		t.Errorf("C1 after restart: %s", s)
	}
	places, _ := e.engine.Waitlist(ctx, "u_d")
	if len(places) != 1 || places[0].Position != 2 {
		t.Errorf("u_d's place %+v", places)
	}
	o := e.offers("u_b")
	if len(o) != 1 {
		t.Fatalf("offer lost")
	}
	e.clock.Set(o[0].ExpiresAt)
	e.tick()
	if len(e.offers("u_c")) != 1 {
		t.Errorf("the expiry timer did not survive the restart")
	}
}
