package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
)

var at = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func reserve(attendee, session string) reservation.Op {
	return reservation.Op{Kind: reservation.OpReserve, Attendee: attendee, SessionID: session, At: at}
}

// withOverlap is Sample plus OVL, a copy of ARC301 half an hour later (so
// the two overlap), and LATER, three hours later (overlapping neither).
func withOverlap() *conference.Conference {
	c := storetest.Sample("guard")
	ovl := c.Sessions[1]
	ovl.ID, ovl.Code, ovl.RepeatGroup = "OVL", "OVL", "OVL"
	ovl.Start = ovl.Start.Add(30 * time.Minute)
	ovl.End = ovl.End.Add(30 * time.Minute)
	later := c.Sessions[1]
	later.ID, later.Code, later.RepeatGroup = "LATER", "LATER", "LATER"
	later.Start = later.Start.Add(3 * time.Hour)
	later.End = later.End.Add(3 * time.Hour)
	c.Sessions = append(c.Sessions, ovl, later)
	return c
}

// nodes opens n stores on one fresh schema, as n app nodes would, with
// the conference saved.
func nodes(t *testing.T, n int) []*Store {
	t.Helper()
	return nodesWith(t, n, withOverlap())
}

// nodesWith opens n stores on one fresh schema with c saved.
func nodesWith(t *testing.T, n int, c *conference.Conference) []*Store {
	t.Helper()
	u := pgtest.URL(t)
	var out []*Store
	for range n {
		s, err := Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	if _, err := out[0].SaveConference(context.Background(), c, 0); err != nil {
		t.Fatal(err)
	}
	return out
}

func isGuard(err error, rule string) bool {
	var g *GuardError
	return errcode.Is(err, errcode.Conflict) && errors.As(err, &g) && g.Rule == rule && errors.Is(err, reservation.ErrStale)
}

// TestGuardNeverOverbooks: three "nodes" each believe every seat is free
// and commit 300 reservations for ARC301 (100 seats) in small batches at
// once; the database keeps exactly 100 and refuses the rest whole.
func TestGuardNeverOverbooks(t *testing.T) {
	ctx := context.Background()
	ss := nodes(t, 3)
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for n, s := range ss {
		wg.Go(func() {
			for b := range 20 {
				var ops []reservation.Op
				for i := range 5 {
					ops = append(ops, reserve(fmt.Sprintf("u_%d_%d_%d", n, b, i), "ARC301"))
				}
				switch err := s.Apply(ctx, ops); {
				case err == nil:
					ok.Add(int64(len(ops)))
				case isGuard(err, "capacity"):
					refused.Add(int64(len(ops)))
				default:
					t.Errorf("Apply: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != 100 || refused.Load() != 200 {
		t.Errorf("%d reserved and %d refused, want exactly 100 and 200", ok.Load(), refused.Load())
	}
	st, err := ss[1].LoadSeats(ctx, time.Time{})
	if err != nil || len(st.Reservations) != 100 {
		t.Fatalf("stored %d reservations (%v), want 100", len(st.Reservations), err)
	}
	if p, err := ss[2].Check(ctx); err != nil || len(p) != 0 {
		t.Errorf("Check: %q %v", p, err)
	}
	// Releasing is never refused, even above capacity; taking an offer's
	// held seat (reserved +1, held -1) is not an increase.
	mustApply(t, ss[0], reservation.Op{Kind: reservation.OpEndReservation, Attendee: st.Reservations[0].Attendee, SessionID: "ARC301", State: reservation.StateCancelled, At: at},
		reservation.Op{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_w", SessionID: "ARC301", At: at, Expires: at.Add(time.Hour)})
	if err := ss[0].Apply(ctx, []reservation.Op{reserve("u_late", "ARC301")}); !isGuard(err, "capacity") {
		t.Errorf("a reservation for a seat held by an offer: %v, want the capacity guard", err)
	}
	mustApply(t, ss[1], reservation.Op{Kind: reservation.OpOfferEnd, OfferID: "o_1", State: reservation.OfferAccepted, At: at}, reserve("u_w", "ARC301"))
	if p, err := ss[2].Check(ctx); err != nil || len(p) != 0 {
		t.Errorf("Check: %q %v", p, err)
	}
}

// TestGuardNeverOverlaps: two nodes give one attendee ARC301 and the
// overlapping OVL at the same moment; exactly one commits.
func TestGuardNeverOverlaps(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		ss := nodes(t, 2)
		attendee := fmt.Sprintf("u_%d", round)
		errs := make([]error, 2)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i, session := range []string{"ARC301", "OVL"} {
			wg.Go(func() {
				start.Wait()
				errs[i] = ss[i].Apply(ctx, []reservation.Op{reserve("u_other", session), reserve(attendee, session)})
			})
		}
		start.Done()
		wg.Wait()
		okCount := 0
		for _, err := range errs {
			switch {
			case err == nil:
				okCount++
			case isGuard(err, "overlap"):
			default:
				t.Fatalf("round %d: Apply: %v", round, err)
			}
		}
		if okCount != 1 {
			t.Fatalf("round %d: %d of two overlapping batches committed, want 1 (%v)", round, okCount, errs)
		}
		if p, err := ss[0].Check(ctx); err != nil || len(p) != 0 {
			t.Fatalf("round %d: Check: %q %v", round, p, err)
		}
	}
	// Overlaps that exist already (an organizer moved a session) do not
	// block an unrelated seat; a new one that overlaps is refused.
	ss := nodes(t, 1)
	s := ss[0]
	if _, err := s.pool.Exec(ctx, `INSERT INTO reservations (attendee, session, created_at) VALUES ('u_m', 'ARC301', 0), ('u_m', 'OVL', 0);
		UPDATE session_seats SET reserved = 1 WHERE session IN ('ARC301', 'OVL')`); err != nil {
		t.Fatal(err)
	}
	other := "LATER"
	if err := s.Apply(ctx, []reservation.Op{reserve("u_m", other)}); err != nil {
		t.Errorf("a seat apart from an existing overlap: %v", err)
	}
	if err := s.Apply(ctx, []reservation.Op{reserve("u_x", "ARC301"), reserve("u_x", "OVL")}); !isGuard(err, "overlap") {
		t.Errorf("two overlapping seats in one batch: %v", err)
	}
}

func mustApply(t *testing.T, s *Store, ops ...reservation.Op) {
	t.Helper()
	if err := s.Apply(context.Background(), ops); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// TestCheckNamesCorruption breaks one invariant at a time with raw SQL and
// expects Check to name it (the SQLite backend has the same test).
func TestCheckNamesCorruption(t *testing.T) {
	tests := []struct {
		name    string
		corrupt string
		want    string
	}{
		{"lost seat", `UPDATE session_seats SET reserved = reserved + 1 WHERE session = 'ARC301'`, "seat was lost or created"},
		{"invented reservation", `INSERT INTO reservations (attendee, session, created_at) VALUES ('u_x', 'ARC301', 0)`, "seat was lost or created"},
		{"overbooked", `UPDATE session_seats SET reserved = 101 WHERE session = 'ARC301';
			INSERT INTO reservations (attendee, session, created_at) SELECT 'u_' || i, 'ARC301', 0 FROM generate_series(1, 100) AS i`,
			"overbooked: 101 reserved but the reservable capacity is 100"},
		{"held counter", `INSERT INTO offers (id, attendee, session, created_at, expires_at) VALUES ('o_y', 'u_y', 'ARC301', 0, 0)`, "held but 1 offers are open"},
		{"overlap", `INSERT INTO reservations (attendee, session, created_at) VALUES ('u_a', 'OVL', 0);
			UPDATE session_seats SET reserved = 1 WHERE session = 'OVL'`, "attendee u_a holds overlapping reservations for sessions ARC301 and OVL"},
		{"guard capacity", `UPDATE session_seats SET capacity = 1000 WHERE session = 'ARC301'`, "the seat guard allows 1000 seats but the conference gives 100"},
		{"guard times", `UPDATE session_seats SET start_at = 0 WHERE session = 'ARC301'`, "the seat guard has other times"},
		{"starred state without its favourite", `INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ('u_f', 'f@example.com', 'F', 'attendee', '', now());
			INSERT INTO favorite_changes (user_id, repeat_group, session_id, starred, priority, at, seq) VALUES ('u_f', 'g', 's', true, 'want', now(), 1)`,
			"favourites: 1 favourite(s) disagree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := nodes(t, 1)[0]
			mustApply(t, s, reserve("u_a", "ARC301"))
			if p, err := s.Check(ctx); err != nil || len(p) != 0 {
				t.Fatalf("healthy store: %q %v", p, err)
			}
			if _, err := s.pool.Exec(ctx, tt.corrupt); err != nil {
				t.Fatalf("%s: %v", tt.corrupt, err)
			}
			problems, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
}
