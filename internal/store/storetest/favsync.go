package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// favState renders the user's sync states (group -> session:priority or
// session:- for a tombstone) and checks that the favourites are exactly
// the starred ones.
func favState(t *testing.T, s account.Store, user string) string {
	t.Helper()
	ctx := context.Background()
	list, high, err := s.FavoriteChanges(ctx, user, 0)
	if err != nil {
		t.Fatal(err)
	}
	var parts, starred []string
	var last int64
	for _, c := range list {
		if c.Seq <= last {
			t.Errorf("seqs not ascending: %d after %d", c.Seq, last)
		}
		last = c.Seq
		p := string(c.Priority)
		if !c.Starred {
			p = "-"
			if c.Priority != "" {
				t.Errorf("tombstone %s has priority %q", c.RepeatGroup, c.Priority)
			}
		} else {
			starred = append(starred, c.RepeatGroup+"="+c.SessionID+":"+p)
		}
		parts = append(parts, c.RepeatGroup+"="+c.SessionID+":"+p)
	}
	if high != last {
		t.Errorf("high = %d, want the last seq %d", high, last)
	}
	favs, err := s.Favorites(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range favs {
		got = append(got, f.RepeatGroup+"="+f.SessionID+":"+string(f.Priority))
	}
	sort.Strings(starred)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(starred, " ") {
		t.Errorf("favourites %q differ from the starred sync states %q", got, starred)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func star(group, session string, p account.Priority) account.FavoriteChange {
	return account.FavoriteChange{RepeatGroup: group, SessionID: session, Starred: true, Priority: p, At: accountEpoch}
}

func tomb(group, session string) account.FavoriteChange {
	return account.FavoriteChange{RepeatGroup: group, SessionID: session, At: accountEpoch.Add(time.Minute)}
}

// testFavoriteSyncLog: the old calls and sync write the same states, each
// write a new higher seq, and "since" returns what came after it.
func testFavoriteSyncLog(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "f@example.com", account.Attendee)
	if list, high, err := s.FavoriteChanges(ctx, "u_1", 0); err != nil || len(list) != 0 || high != 0 {
		t.Fatalf("empty: %+v %d %v", list, high, err)
	}
	if err := s.PutFavorite(ctx, account.Favorite{UserID: "u_1", RepeatGroup: "g1", SessionID: "s1a", Priority: account.Must, UpdatedAt: accountEpoch}); err != nil {
		t.Fatal(err)
	}
	if got := favState(t, s, "u_1"); got != "g1=s1a:must" {
		t.Errorf("after PutFavorite: %s", got)
	}
	_, cursor, _ := s.FavoriteChanges(ctx, "u_1", 0)
	if err := s.DeleteFavorite(ctx, "u_1", "g1"); err != nil {
		t.Fatal(err)
	}
	// A tombstone even of a content never starred.
	if err := s.DeleteFavorite(ctx, "u_1", "g9"); err != nil {
		t.Fatal(err)
	}
	if got := favState(t, s, "u_1"); got != "g1=s1a:- g9=g9:-" {
		t.Errorf("after DeleteFavorite: %s", got)
	}
	since, high, err := s.FavoriteChanges(ctx, "u_1", cursor)
	if err != nil || len(since) != 2 || since[0].RepeatGroup != "g1" || since[1].RepeatGroup != "g9" || high != since[1].Seq {
		t.Errorf("since %d: %+v high %d %v", cursor, since, high, err)
	}
	got, err := s.ApplyFavoriteChanges(ctx, "u_1", []account.FavoriteChange{
		star("g2", "s2", account.Want), star("g1", "s1b", account.Maybe), tomb("g2", "s2"), star("g3", "s3", account.Must),
	}, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i].Seq <= high || (i > 0 && got[i].Seq <= got[i-1].Seq) {
			t.Errorf("applied seqs %d: not above %d and ascending", got[i].Seq, high)
		}
	}
	if !got[0].At.Equal(accountEpoch) || got[2].Priority != "" {
		t.Errorf("applied: %+v", got)
	}
	if st := favState(t, s, "u_1"); st != "g1=s1b:maybe g2=s2:- g3=s3:must g9=g9:-" {
		t.Errorf("after sync: %s", st)
	}
	// Only the states written after the cursor, each once, in seq order.
	since, _, _ = s.FavoriteChanges(ctx, "u_1", high)
	var names []string
	for _, c := range since {
		names = append(names, c.RepeatGroup)
	}
	if fmt.Sprint(names) != "[g1 g2 g3]" {
		t.Errorf("since %d: %v, want [g1 g2 g3] (g2's latest state only)", high, names)
	}
	if last, h, _ := s.FavoriteChanges(ctx, "u_1", got[3].Seq); len(last) != 0 || h != got[3].Seq {
		t.Errorf("since the newest: %+v %d", last, h)
	}
}

// testFavoriteSyncScoped: a user sees only their own states; seqs are the
// store's, increasing across users.
func testFavoriteSyncScoped(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_a", "a@example.com", account.Attendee)
	mustUser(t, s, "u_b", "b@example.com", account.Attendee)
	a, err := s.ApplyFavoriteChanges(ctx, "u_a", []account.FavoriteChange{star("g", "s", account.Must)}, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ApplyFavoriteChanges(ctx, "u_b", []account.FavoriteChange{tomb("g", "s")}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if b[0].Seq <= a[0].Seq {
		t.Errorf("seq %d of B's later change is not above A's %d", b[0].Seq, a[0].Seq)
	}
	if got := favState(t, s, "u_a"); got != "g=s:must" {
		t.Errorf("A: %s", got)
	}
	if got := favState(t, s, "u_b"); got != "g=s:-" {
		t.Errorf("B: %s", got)
	}
}

// testFavoriteSyncLimit: more states than the limit is refused whole.
func testFavoriteSyncLimit(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "f@example.com", account.Attendee)
	if _, err := s.ApplyFavoriteChanges(ctx, "u_1", []account.FavoriteChange{star("g1", "s1", account.Want), tomb("g2", "s2")}, 3); err != nil {
		t.Fatal(err)
	}
	// Rewriting a state does not add one.
	if _, err := s.ApplyFavoriteChanges(ctx, "u_1", []account.FavoriteChange{tomb("g1", "s1"), star("g2", "s2", account.Must), star("g3", "s3", account.Must)}, 3); err != nil {
		t.Fatal(err)
	}
	before := favState(t, s, "u_1")
	_, err := s.ApplyFavoriteChanges(ctx, "u_1", []account.FavoriteChange{tomb("g3", "s3"), star("g4", "s4", account.Must)}, 3)
	wantCode(t, "a fourth state with limit 3", err, errcode.Invalid)
	if after := favState(t, s, "u_1"); after != before {
		t.Errorf("a refused sync changed the states: %s, was %s", after, before)
	}
}

// testFavoriteSyncConcurrent: writers of one user race while a device
// pulls "since its cursor" over and over; the device ends with exactly
// the store's states — no write committed behind its cursor.
func testFavoriteSyncConcurrent(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "f@example.com", account.Attendee)
	const writers, rounds, groups = 4, 20, 7
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				g := fmt.Sprintf("g%d", (w*rounds+r)%groups)
				c := star(g, g, account.Want)
				if (w+r)%3 == 0 {
					c = tomb(g, g)
				}
				if _, err := s.ApplyFavoriteChanges(ctx, "u_1", []account.FavoriteChange{c}, 100); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	device := map[string]string{}
	var cursor int64
	pull := func() {
		list, high, err := s.FavoriteChanges(ctx, "u_1", cursor)
		if err != nil {
			t.Error(err)
			return
		}
		for _, c := range list {
			device[c.RepeatGroup] = fmt.Sprint(c.Starred, c.Seq)
		}
		if high > cursor {
			cursor = high
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		pull()
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	pull()
	list, _, _ := s.FavoriteChanges(ctx, "u_1", 0)
	want := map[string]string{}
	for _, c := range list {
		want[c.RepeatGroup] = fmt.Sprint(c.Starred, c.Seq)
	}
	if fmt.Sprint(device) != fmt.Sprint(want) {
		t.Errorf("the device pulled %v, the store holds %v", device, want)
	}
}
