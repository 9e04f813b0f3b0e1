package app

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/store/postgres"
)

// TestCheckInsOnlyForAttendees: a badge scan of an attendee id that has
// no account is a 404, nothing stored; a real attendee's is checked in;
// and `check` names a check-in without an account that an older store
// may hold, on both backends.
func TestCheckInsOnlyForAttendees(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var a *App
			var srv *httptest.Server
			if backend == "postgres" {
				a, srv, _ = newPostgresApp(t)
			} else {
				a, srv = newTestApp(t)
			}
			tokens := demoTokens(t, a, srv.URL)
			se := reservableSessions(t, a.Snapshot(), 1)[0]
			attendee := userID(t, srv.URL, tokens[account.Attendee])
			checkIn := func(who string) (int, []byte) {
				st, _, body := call(t, nil, "POST", srv.URL+"/api/v1/admin/checkins", tokens[account.Organizer],
					map[string]string{"sessionId": se.ID, "attendeeId": who})
				return st, body
			}
			if st, body := checkIn("u_nobody_at_all"); st != 404 || errCodeOf(body) != "not_found" {
				t.Errorf("a check-in of an unknown attendee: %d %s, want 404", st, body)
			}
			if st, body := checkIn(attendee); st != 201 {
				t.Errorf("a check-in of an attendee: %d %s", st, body)
			}
			ctx := context.Background()
			if problems, err := a.store.Check(ctx); err != nil || len(problems) != 0 {
				t.Fatalf("check: %q %v", problems, err)
			}
			// A stray row, as an older venuehop may have stored.
			var err error
			if s, ok := a.store.Store.(*lockedStore); ok {
				_, w := s.DB()
				_, err = w.ExecContext(ctx, `INSERT INTO checkins (session, attendee, at) VALUES (?, 'u_ghost', 0)`, se.ID)
			} else {
				_, err = a.store.Store.(*postgres.Store).Pool().Exec(ctx, `INSERT INTO checkins (session, attendee, at) VALUES ($1, 'u_ghost', 0)`, se.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			problems, err := a.store.Check(ctx)
			if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "u_ghost") || !strings.Contains(problems[0], "no account") {
				t.Errorf("check with a stray check-in: %q %v", problems, err)
			}
		})
	}
}
