package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/formats"
	"venuehop/internal/store/postgres/pgtest"
)

// TestImportedSessionTakesSeatsOnItsPage: right after an import adds a
// session, without a restart, the session's page shows its seats and its
// Reserve form books one (the engine publishes a new session's capacity
// with the import's commit; it used to show "0 of 0 seats left — Full"
// until a restart). On both backends.
func TestImportedSessionTakesSeatsOnItsPage(t *testing.T) {
	for _, backend := range []struct {
		name string
		set  func(t *testing.T) func(*config.Config)
	}{
		{"sqlite", func(*testing.T) func(*config.Config) { return nil }},
		{"postgres", func(t *testing.T) func(*config.Config) {
			u := pgtest.URL(t)
			return func(c *config.Config) { c.DB = u }
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			a, srv := newAppWith(t, backend.set(t))
			base := srv.URL
			org := demoTokens(t, a, base)[account.Organizer]

			// The organizer's file: the stored conference plus a new room
			// and a new session in it.
			var c conference.Conference
			raw, _ := json.Marshal(a.Snapshot().Conf)
			json.Unmarshal(raw, &c)
			like := reservableSessions(t, a.Snapshot(), 1)[0]
			room := conference.Room{ID: "NEW-ROOM", VenueID: c.Rooms[0].VenueID, Level: "Level 9", Name: "New Room", Capacity: 80}
			c.Rooms = append(c.Rooms, room)
			added := *like
			added.ID, added.Code, added.RepeatGroup, added.Title = "NEW-T1", "NEW-T1", "", "A session added by an import"
			added.RoomID, added.Capacity, added.OverflowRoomIDs = room.ID, nil, nil
			c.Sessions = append(c.Sessions, added)
			var file bytes.Buffer
			if err := formats.WriteNative(&file, &c); err != nil {
				t.Fatal(err)
			}
			if st, _, body := call(t, nil, "POST", base+"/api/v1/admin/import", org, file.String()); st != 200 || !strings.Contains(string(body), `"applied":true`) {
				t.Fatalf("import: %d %s", st, body)
			}
			se, ok := a.Snapshot().Session("NEW-T1")
			if !ok {
				t.Fatal("the imported session is not served")
			}
			capacity := a.Snapshot().ReservableCapacity(se)
			if capacity < 2 {
				t.Fatalf("the new session has %d reservable seats; the test needs 2", capacity)
			}

			u := newSeatUser(t, srv, "first-in-new-session@example.com")
			st, body, _ := page(t, u.c, base+"/sessions/NEW-T1")
			if st != 200 || !strings.Contains(body, seatsLeft(capacity, capacity)) || !strings.Contains(body, `action="/me/reservations/NEW-T1"`) {
				t.Fatalf("the new session's page (%d) does not show %d free seats and a Reserve form:\n%s", st, capacity, excerpt(body, "seats left"))
			}
			st, after := u.submit(t, base, "/sessions/NEW-T1", "/me/reservations/NEW-T1")
			if st != 303 || !strings.Contains(after, "Reserved: your seat in") || !strings.Contains(after, seatsLeft(capacity-1, capacity)) {
				t.Errorf("reserving on the new session's page: %d\n%s", st, excerpt(after, "seats left"))
			}
			if c, _ := a.Seats().Count("NEW-T1"); c.Capacity != capacity || c.Reserved != 1 {
				t.Errorf("the engine publishes %+v, want capacity %d with 1 reserved", c, capacity)
			}
		})
	}
}

// excerpt is the part of a page around the first occurrence of what.
func excerpt(body, what string) string {
	i := strings.Index(body, what)
	if i < 0 {
		return "(no " + what + " on the page)"
	}
	return body[max(0, i-300):min(len(body), i+100)]
}
