package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/app"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/notify"
	"venuehop/internal/reservation"
	"venuehop/internal/store/postgres"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/store/storetest"
	"venuehop/internal/webpush"
)

func demoConfig(dir, db string) config.Config {
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.DB = db
	cfg.DemoStart = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cfg.Now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	return cfg
}

// seatList is a comparable view of stored seats.
func seatList(st *reservation.Stored) []string {
	var out []string
	for _, r := range st.Reservations {
		out = append(out, fmt.Sprintf("res %s %s %d %v", r.Attendee, r.SessionID, r.Created.UnixMilli(), r.CheckedIn != nil))
	}
	for _, w := range st.Waitlist {
		out = append(out, fmt.Sprintf("wait %s %s %d", w.Attendee, w.SessionID, w.Seq))
	}
	for _, o := range st.Offers {
		out = append(out, fmt.Sprintf("offer %s %s %s %d", o.ID, o.Attendee, o.SessionID, o.ExpiresAt.UnixMilli()))
	}
	for _, i := range st.Idempotency {
		out = append(out, fmt.Sprintf("idem %s %s %q", i.Attendee, i.Key, i.Body))
	}
	out = append(out, "auto "+strings.Join(st.AutoAccept, ","))
	slices.Sort(out)
	return out
}

// TestMigrateDemoWithReservations fills an SQLite store the way a running
// event does (the demo, reservations through the engine, favourites, a
// block, a plan, a calendar feed, a waitlist place and an offer), moves it
// to PostgreSQL and checks that nothing was lost and that a node on the
// new database carries on.
func TestMigrateDemoWithReservations(t *testing.T) {
	ctx := context.Background()
	target := pgtest.URL(t)
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	a, err := app.New(ctx, demoConfig(dir, ""), log)
	if err != nil {
		t.Fatal(err)
	}
	snap := a.Snapshot()
	var ids []string
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		if se.Reservable && !se.Cancelled && se.Scheduled() && snap.Day(se.Start) == snap.Conf.Days[1] {
			ids = append(ids, se.ID)
		}
	}
	if len(ids) < 40 {
		t.Fatalf("the demo has %d reservable sessions on day 2", len(ids))
	}
	// A second handle on the same file, for what the app does not export
	// (SQLite lets two processes share it; the writer waits its turn).
	side, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	accounts := side.Accounts()
	var users []account.User
	for _, d := range a.DemoAccounts {
		u, _, err := accounts.UserByEmail(ctx, d.Email)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	// Each user gets eight sessions of day 2 that do not overlap, in
	// requests of two with an Idempotency-Key each.
	mine := map[string][]string{}
	for n, u := range users {
		var held []*conference.Session
		for k := n * 13; k < len(ids) && len(held) < 8; k++ {
			se, _ := snap.Session(ids[k])
			free := true
			for _, h := range held {
				free = free && !conference.Overlaps(h.Start, h.End, se.Start, se.End)
			}
			if free {
				held = append(held, se)
				mine[u.ID] = append(mine[u.ID], se.ID)
			}
		}
	}
	reserved := 0
	for n, u := range users {
		list := mine[u.ID]
		for k := 0; k+1 < len(list); k += 2 {
			ans, err := a.Seats().Reserve(ctx, u.ID, list[k:k+2], fmt.Sprintf("key-%d-%d", n, k))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range ans.Results {
				if r.Status == reservation.Reserved {
					reserved++
				}
			}
		}
		if err := accounts.PutFavorite(ctx, account.Favorite{UserID: u.ID, RepeatGroup: ids[30+n], SessionID: ids[30+n], Priority: account.Must, UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if reserved < 30 {
		t.Fatalf("only %d reservations made", reserved)
	}
	// A tombstone too: sync states are copied with their seqs.
	if err := accounts.DeleteFavorite(ctx, users[0].ID, ids[30]); err != nil {
		t.Fatal(err)
	}
	wantSync, wantHigh, err := accounts.FavoriteChanges(ctx, users[0].ID, 0)
	if err != nil || len(wantSync) != 1 || wantSync[0].Starred {
		t.Fatalf("sync states before migrate: %+v %v", wantSync, err)
	}
	if err := a.Seats().Cancel(ctx, users[0].ID, mine[users[0].ID][0]); err != nil {
		t.Fatal(err)
	}
	start := snap.Conf.Sessions[0].Start
	if err := accounts.AddBlock(ctx, account.Block{ID: "b_1", UserID: users[1].ID, Title: "Lunch", Start: start, End: start.Add(time.Hour), CreatedAt: time.Now()}, 10); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	side.Close()

	// What the engine does not make easily in a test: a waitlist place,
	// an open offer, a plan and a calendar feed, written through the
	// store's own contracts.
	src, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Apply(ctx, []reservation.Op{
		{Kind: reservation.OpWaitAdd, Attendee: users[2].ID, SessionID: ids[35], Seq: 1, At: time.Now()},
		{Kind: reservation.OpOfferOpen, OfferID: "o_migrated", Attendee: users[3].ID, SessionID: ids[36], At: time.Now(), Expires: time.Now().Add(time.Hour)},
		{Kind: reservation.OpSetAutoAccept, Attendee: users[4].ID, Flag: true},
	}); err != nil {
		t.Fatal(err)
	}
	plan := agenda.StoredPlan{ID: "p_1", Attendee: users[0].ID, Created: time.Now(), Origin: "request", State: agenda.StateProposed, Body: []byte(`{"plan":{"items":[]}}`)}
	if err := src.Plans().SavePlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if err := src.Plans().AcceptPlan(ctx, users[0].ID, "p_1"); err != nil {
		t.Fatal(err)
	}
	if err := src.Plans().SetLock(ctx, users[0].ID, "session:"+ids[10], true); err != nil {
		t.Fatal(err)
	}
	if err := src.SetCalendarFeed(ctx, users[0].ID, 2, account.HashToken("feed-secret"), time.Now()); err != nil {
		t.Fatal(err)
	}
	// A notice, read, and a preference.
	if err := src.PutNotice(ctx, notify.Notice{ID: "n_1", AttendeeID: users[0].ID, Category: notify.CategoryOffer, Title: "Seat", Body: "Take it",
		URL: "/me/reservations", OfferID: "o_migrated", Topic: "offer-o_migrated", Urgency: notify.UrgencyHigh,
		Created: time.Now(), Expires: time.Now().Add(time.Hour)}, notify.Keep); err != nil {
		t.Fatal(err)
	}
	if _, err := src.MarkNoticesRead(ctx, users[0].ID, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := src.SetNoticesOff(ctx, users[1].ID, []notify.Category{notify.CategoryLeave}); err != nil {
		t.Fatal(err)
	}
	// The sign-up mode and the attendee list, one of them already signed up.
	if err := src.Accounts().PutSetting(ctx, "signup_mode", "registered"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Accounts().PutRegistrations(ctx, []account.Registration{
		{Email: "listed@example.com", Name: "Listed", BadgeID: "B-7", Code: "k7qmz-3xtpa", CreatedAt: time.Now()},
		{Email: users[0].Email, Name: "Signed Up", CreatedAt: time.Now()},
	}); err != nil {
		t.Fatal(err)
	}
	// A device's push subscription and the VAPID pair it is bound to.
	wantKeys, err := webpush.LoadKeys(ctx, src, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pushSub := webpush.Subscription{Endpoint: "https://push.example/dev1", AttendeeID: users[1].ID, P256dh: "BPkey", Auth: "authkey",
		Categories: []notify.Category{notify.CategoryOffer}, Label: "Firefox", Created: time.Now()}
	if err := src.PutPushSubscription(ctx, pushSub); err != nil {
		t.Fatal(err)
	}
	wantList, _ := src.Accounts().Registrations(ctx)
	want, err := src.LoadSeats(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantConf, wantRev, _ := src.LoadConference(ctx)
	src.Close()

	code, stdout, stderr := venuehop(t, "migrate", "--from", dir, "--to", target)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, line := range []string{"conference_revisions", fmt.Sprintf("seats.reserved %d", len(want.Reservations)), "every invariant holds on both sides"} {
		if !strings.Contains(strings.Join(strings.Fields(stdout), " "), line) {
			t.Errorf("migrate output lacks %q:\n%s", line, stdout)
		}
	}

	dst, err := postgres.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.LoadSeats(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if w, g := seatList(want), seatList(got); !slices.Equal(w, g) {
		t.Errorf("seats differ after migrate:\nSQLite     %q\nPostgreSQL %q", w, g)
	}
	gotConf, gotRev, err := dst.LoadConference(ctx)
	if err != nil || gotRev != wantRev || storetest.Diff(wantConf, gotConf) != "" {
		t.Errorf("conference rev %d (want %d), %v: %s", gotRev, wantRev, err, storetest.Diff(wantConf, gotConf))
	}
	if p, ok, err := dst.Plans().AcceptedPlan(ctx, users[0].ID); err != nil || !ok || p.ID != "p_1" {
		t.Errorf("accepted plan after migrate: %+v %v %v", p, ok, err)
	}
	if l, err := dst.Plans().Locks(ctx, users[0].ID); err != nil || !slices.Equal(l, []string{"session:" + ids[10]}) {
		t.Errorf("locks after migrate: %q %v", l, err)
	}
	if l, _, err := dst.Notices(ctx, users[0].ID, time.Now(), 10); err != nil || len(l) != 1 || l[0].Topic != "offer-o_migrated" || l[0].ReadAt.IsZero() {
		t.Errorf("notices after migrate: %+v %v", l, err)
	}
	if off, err := dst.NoticesOff(ctx, users[1].ID); err != nil || !slices.Equal(off, []notify.Category{notify.CategoryLeave}) {
		t.Errorf("notice preferences after migrate: %v %v", off, err)
	}
	if id, err := dst.CalendarFeedUser(ctx, account.HashToken("feed-secret")); err != nil || id != users[0].ID {
		t.Errorf("calendar feed after migrate: %q %v", id, err)
	}
	if b, err := dst.Accounts().Blocks(ctx, users[1].ID); err != nil || len(b) != 1 || !b[0].Start.Equal(start) {
		t.Errorf("blocks after migrate: %+v %v", b, err)
	}
	if f, err := dst.Accounts().Favorites(ctx, users[2].ID); err != nil || len(f) != 1 {
		t.Errorf("favourites after migrate: %+v %v", f, err)
	}
	if c, high, err := dst.Accounts().FavoriteChanges(ctx, users[0].ID, 0); err != nil || high != wantHigh || len(c) != 1 || !sameChange(c[0], wantSync[0]) {
		t.Errorf("sync states after migrate: %+v %d %v, want %+v %d", c, high, err, wantSync, wantHigh)
	}
	// The sequence moved past the copied seqs: a new change comes after.
	if c, err := dst.Accounts().ApplyFavoriteChanges(ctx, users[0].ID, []account.FavoriteChange{{RepeatGroup: ids[31], SessionID: ids[31], Starred: true, Priority: account.Want, At: time.Now()}}, 0); err != nil || c[0].Seq <= wantHigh {
		t.Errorf("a change after migrate: %+v %v (copied high %d)", c, err, wantHigh)
	}
	if m, err := dst.Accounts().Setting(ctx, "signup_mode"); err != nil || m != "registered" {
		t.Errorf("the sign-up mode after migrate: %q %v", m, err)
	}
	if l, err := dst.Accounts().Registrations(ctx); err != nil || len(l) != 2 || !slices.EqualFunc(l, wantList, func(a, b account.Registration) bool {
		return a.Email == b.Email && a.Code == b.Code && a.UserID == b.UserID && a.BadgeID == b.BadgeID
	}) {
		t.Errorf("the attendee list after migrate: %+v %v, want %+v", l, err, wantList)
	}
	if k, err := dst.SharedVAPIDKeys(ctx, webpush.Keys{Public: "other", Private: "other"}, time.Now()); err != nil || k != wantKeys {
		t.Errorf("VAPID keys after migrate: %+v %v, want the SQLite pair", k, err)
	}
	if l, err := dst.PushSubscriptions(ctx, users[1].ID); err != nil || len(l) != 1 || l[0].Endpoint != pushSub.Endpoint ||
		l[0].Auth != pushSub.Auth || !slices.Equal(l[0].Categories, pushSub.Categories) || l[0].Label != "Firefox" {
		t.Errorf("push subscriptions after migrate: %+v %v", l, err)
	}
	dst.Close()

	// A second run finds the target full and writes nothing.
	code, _, stderr = venuehop(t, "migrate", "--from", dir, "--to", target)
	if code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("migrate into a filled schema: exit %d, %q", code, stderr)
	}

	// A node on PostgreSQL carries on: same sign-ins, new seats, and the
	// idempotency keys of the SQLite days still replay.
	b, err := app.New(ctx, demoConfig(dir, target), log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.DemoLoaded {
		t.Error("the node loaded the demo again instead of the migrated conference")
	}
	ans, err := b.Seats().Reserve(ctx, users[0].ID, mine[users[0].ID][0:2], "key-0-0")
	if err != nil || !ans.Replayed {
		t.Errorf("replaying a key of the SQLite days: %+v %v", ans, err)
	}
	ans, err = b.Seats().Reserve(ctx, users[0].ID, mine[users[0].ID][0:1], "after-migrate")
	if err != nil || ans.Results[0].Status != reservation.Reserved {
		t.Errorf("a new reservation on PostgreSQL: %+v %v", ans, err)
	}
	code, _, stderr = venuehop(t, "check", "--db", target)
	if code != 0 {
		t.Errorf("venuehop check on PostgreSQL after more seats: exit %d %s", code, stderr)
	}
}

func TestMigrateBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no --from", []string{"--to", "postgres://x@127.0.0.1/db"}, 2, "--from is required"},
		{"no --to", []string{"--from", "."}, 2, "--to is required"},
		{"not postgres", []string{"--from", ".", "--to", "mysql://u:pw@h/db"}, 2, "must be a postgres:// URL"},
		{"no store", []string{"--from", t.TempDir(), "--to", "postgres://x@127.0.0.1:1/db"}, 1, "holds no venuehop store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := venuehop(t, append([]string{"migrate"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "pw@") {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func sameChange(a, b account.FavoriteChange) bool {
	return a.RepeatGroup == b.RepeatGroup && a.SessionID == b.SessionID && a.Starred == b.Starred &&
		a.Priority == b.Priority && a.Seq == b.Seq && a.At.Equal(b.At)
}
