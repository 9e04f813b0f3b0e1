package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/reservation"
	"venuehop/internal/store"
	"venuehop/internal/store/storetest"
)

func TestReservationConformance(t *testing.T) {
	storetest.RunReservations(t, func(t *testing.T) storetest.SeatStore { return openTemp(t) })
}

// TestCheckNamesCorruption breaks one invariant at a time with raw SQL, the
// way a bug or a hand edit would, and expects Check to name it.
func TestCheckNamesCorruption(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		corrupt []string
		want    string
	}{
		{"lost seat", []string{`UPDATE session_seats SET reserved = reserved + 1 WHERE session = 'ARC301'`}, "seat was lost or created"},
		{"invented reservation", []string{`INSERT INTO reservations (attendee, session, created_at) VALUES ('u_x', 'ARC301', 0)`}, "seat was lost or created"},
		{"overbooked", []string{`UPDATE session_seats SET reserved = 101 WHERE session = 'ARC301'`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
			 INSERT INTO reservations (attendee, session, created_at) SELECT 'u_' || i, 'ARC301', 0 FROM n`}, "overbooked: 101 reserved but the reservable capacity is 100"},
		{"offer without a seat", []string{`UPDATE session_seats SET reserved = 100, held = 1 WHERE session = 'ARC301'`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
			 INSERT INTO reservations (attendee, session, created_at) SELECT 'u_' || i, 'ARC301', 0 FROM n`,
			`INSERT INTO offers (id, attendee, session, created_at, expires_at) VALUES ('o_x', 'u_x', 'ARC301', 0, 0)`}, "1 open offers but only 0 free seats"},
		{"held counter", []string{`INSERT INTO offers (id, attendee, session, created_at, expires_at) VALUES ('o_y', 'u_y', 'ARC301', 0, 0)`}, "held but 1 offers are open"},
		{"overlap", []string{`INSERT INTO reservations (attendee, session, created_at) VALUES ('u_a', 'OVL', 0)`,
			`INSERT INTO session_seats (session, reserved) VALUES ('OVL', 1)`}, "attendee u_a holds overlapping reservations for sessions ARC301 and OVL"},
		{"unknown session", []string{`INSERT INTO reservations (attendee, session, created_at) VALUES ('u_a', 'GONE', 0)`,
			`INSERT INTO session_seats (session, reserved) VALUES ('GONE', 1)`}, "GONE: 1 active reservations"},
		{"favourite without its sync state", []string{
			`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ('u_f', 'f@example.com', 'F', 'attendee', '', '2026-01-01T00:00:00.000Z')`,
			`INSERT INTO favorites (user_id, repeat_group, session_id, priority, updated_at) VALUES ('u_f', 'g', 's', 'want', '2026-01-01T00:00:00.000Z')`},
			"favourites: 1 favourite(s) disagree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTemp(t)
			defer s.Close()
			c := storetest.Sample("check")
			ovl := c.Sessions[1]
			ovl.ID, ovl.Code, ovl.RepeatGroup = "OVL", "OVL", "OVL"
			ovl.Start = ovl.Start.Add(30 * time.Minute)
			ovl.End = ovl.End.Add(30 * time.Minute)
			c.Sessions = append(c.Sessions, ovl)
			if _, err := s.SaveConference(ctx, c, 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Apply(ctx, []reservation.Op{{Kind: reservation.OpReserve, Attendee: "u_a", SessionID: "ARC301", At: at}}); err != nil {
				t.Fatal(err)
			}
			if p, err := s.Check(ctx); err != nil || len(p) != 0 {
				t.Fatalf("healthy store: %q %v", p, err)
			}
			for _, q := range tt.corrupt {
				if _, err := s.write.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			problems, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) == 0 {
				t.Fatalf("Check found nothing after %q", tt.corrupt)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
}

// A reservation in a session that is fine for one conference revision and
// over capacity for the next is named too: Check reads the newest.
func TestCheckUsesNewestConference(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	c := storetest.Sample("v1")
	rev, err := s.SaveConference(ctx, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ops []reservation.Op
	for _, a := range []string{"u_1", "u_2", "u_3"} {
		ops = append(ops, reservation.Op{Kind: reservation.OpReserve, Attendee: a, SessionID: "ARC301", At: time.Now()})
	}
	if err := s.Apply(ctx, ops); err != nil {
		t.Fatal(err)
	}
	two := 2
	c2 := storetest.Sample("v2")
	c2.Sessions[1].Capacity = &two
	if _, err := s.SaveConference(ctx, c2, rev); err != nil {
		t.Fatal(err)
	}
	problems, _ := s.Check(ctx)
	if len(problems) != 1 || !strings.Contains(problems[0], "overbooked: 3 reserved but the reservable capacity is 2") {
		t.Errorf("problems %q", problems)
	}
}

// TestApplyChunks commits batches of every shape the prepared chunked
// statements split (sizes around the powers of two and past 256 rows,
// sessions repeated or not) and reads back each row and counter; a batch
// that fails halfway changes nothing.
func TestApplyChunks(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		rows     int
		sessions int // rows go round-robin over this many sessions
	}{
		{"one", 1, 1},
		{"three over two sessions", 3, 2},
		{"255 distinct", 255, 255},
		{"256 distinct", 256, 256},
		{"257 over 7", 257, 7},
		{"600 over 300", 600, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTemp(t)
			defer s.Close()
			var ops []reservation.Op
			want := map[string]int{}
			for i := range tt.rows {
				sid := fmt.Sprintf("S%03d", i%tt.sessions)
				ops = append(ops, reservation.Op{Kind: reservation.OpReserve, Attendee: fmt.Sprintf("u_%d", i), SessionID: sid, At: at})
				want[sid]++
			}
			// Twice: the second commit finds the counter rows there.
			for round := 1; round <= 2; round++ {
				if round == 2 {
					for i := range ops {
						ops[i].Attendee += "b"
					}
				}
				if err := s.Apply(ctx, ops); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				got := map[string]int{}
				if err := s.query(ctx, `SELECT session, reserved, held FROM session_seats`, nil, func(rows *sql.Rows) error {
					var id string
					var n, held int
					err := rows.Scan(&id, &n, &held)
					got[id] = n
					if held != 0 {
						t.Errorf("%s: held %d", id, held)
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				for sid, n := range want {
					if got[sid] != round*n {
						t.Errorf("round %d: %s counts %d, want %d", round, sid, got[sid], round*n)
					}
				}
				if len(got) != len(want) {
					t.Errorf("round %d: %d counter rows, want %d", round, len(got), len(want))
				}
				st, err := s.LoadSeats(ctx, at)
				if err != nil {
					t.Fatal(err)
				}
				if len(st.Reservations) != round*tt.rows {
					t.Errorf("round %d: %d reservations, want %d", round, len(st.Reservations), round*tt.rows)
				}
			}
			// The same attendee and session again violates the unique
			// index in the last chunk: nothing of the batch stays.
			bad := append(slices.Clone(ops), ops[len(ops)-1])
			if err := s.Apply(ctx, bad); err == nil {
				t.Fatal("a duplicate reservation was accepted")
			}
			st, err := s.LoadSeats(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Reservations) != 2*tt.rows {
				t.Errorf("after a failed batch: %d reservations, want %d", len(st.Reservations), 2*tt.rows)
			}
			if p, err := s.checkSeats(ctx, nil); err != nil || len(p) != 0 {
				// Without a conference every session is unknown; only
				// counter mismatches matter here.
				for _, x := range p {
					if strings.Contains(x, "lost or created") {
						t.Errorf("counter problem: %s", x)
					}
				}
			}
		})
	}
}

// TestImportIsOneCommit: an import killed at any step of its commit leaves
// the store whole (storetest.RunImportCrash).
func TestImportIsOneCommit(t *testing.T) {
	storetest.RunImportCrash(t, func(t *testing.T) string { return t.TempDir() },
		func(ctx context.Context, dir string, hook func(string)) (store.Stores, error) {
			s, err := Open(ctx, dir)
			if err != nil {
				return store.Stores{}, err
			}
			s.crashAt = hook
			return s.Stores(), nil
		})
}
