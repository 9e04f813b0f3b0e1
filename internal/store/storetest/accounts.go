package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
)

// RunAccounts is the conformance suite of account.Store. open must return a
// new, empty store for each call and close it when the test ends.
func RunAccounts(t *testing.T, open func(t *testing.T) account.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s account.Store)
	}{
		{"UserRoundTrip", testUserRoundTrip},
		{"DuplicateEmailIsConflict", testDuplicateEmail},
		{"UnknownIsNotFound", testUnknownUser},
		{"SetPassword", testSetPassword},
		{"Tokens", testTokens},
		{"ExpiredTokensSwept", testExpiredTokens},
		{"FavoritesPerContent", testFavorites},
		{"FavoritesAreScoped", testFavoritesScoped},
		{"FavoriteSyncLog", testFavoriteSyncLog},
		{"FavoriteSyncScoped", testFavoriteSyncScoped},
		{"FavoriteSyncLimit", testFavoriteSyncLimit},
		{"FavoriteSyncConcurrent", testFavoriteSyncConcurrent},
		{"Blocks", testBlocks},
		{"BlockLimitUnderConcurrency", testBlockLimit},
		{"Settings", testSettings},
		{"RegistryImportAndUpdate", testRegistryImport},
		{"RegistryClaimedOnce", testRegistryClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

var accountEpoch = time.Date(2026, 11, 20, 9, 30, 15, 123e6, time.UTC)

func mustUser(t *testing.T, s account.Store, id, email string, role account.Role) account.User {
	t.Helper()
	u := account.User{ID: id, Email: email, Name: "Name of " + id, Role: role, CreatedAt: accountEpoch}
	if err := s.CreateUser(context.Background(), u, "$argon2id$hash-of-"+id); err != nil {
		t.Fatalf("CreateUser %s: %v", id, err)
	}
	return u
}

func wantCode(t *testing.T, what string, err error, code errcode.Code) {
	t.Helper()
	if !errcode.Is(err, code) {
		t.Errorf("%s: err = %v, want code %s", what, err, code)
	}
}

func testUserRoundTrip(t *testing.T, s account.Store) {
	ctx := context.Background()
	tests := []struct {
		id, email string
		role      account.Role
	}{
		{"u_a", "ada@example.com", account.Attendee},
		{"u_o", "org@example.com", account.Organizer},
		{"u_x", "root@example.com", account.Admin},
	}
	for _, tt := range tests {
		want := mustUser(t, s, tt.id, tt.email, tt.role)
		got, hash, err := s.UserByEmail(ctx, tt.email)
		if err != nil || got != want || hash != "$argon2id$hash-of-"+tt.id {
			t.Errorf("UserByEmail(%s) = %+v, %q, %v; want %+v", tt.email, got, hash, err, want)
		}
		got, err = s.UserByID(ctx, tt.id)
		if err != nil || got != want {
			t.Errorf("UserByID(%s) = %+v, %v; want %+v", tt.id, got, err, want)
		}
	}
}

func testDuplicateEmail(t *testing.T, s account.Store) {
	mustUser(t, s, "u_1", "same@example.com", account.Attendee)
	err := s.CreateUser(context.Background(), account.User{ID: "u_2", Email: "same@example.com", Role: account.Attendee, CreatedAt: accountEpoch}, "")
	wantCode(t, "second user with the same email", err, errcode.Conflict)
	if _, err := s.UserByID(context.Background(), "u_2"); !errcode.Is(err, errcode.NotFound) {
		t.Errorf("the rejected user was stored: %v", err)
	}
}

func testUnknownUser(t *testing.T, s account.Store) {
	ctx := context.Background()
	_, _, err := s.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, "UserByEmail", err, errcode.NotFound)
	_, err = s.UserByID(ctx, "u_nobody")
	wantCode(t, "UserByID", err, errcode.NotFound)
	wantCode(t, "SetPassword", s.SetPassword(ctx, "u_nobody", "x"), errcode.NotFound)
	_, _, err = s.TokenUser(ctx, account.HashToken("nope"))
	wantCode(t, "TokenUser", err, errcode.NotFound)
}

func testSetPassword(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "pw@example.com", account.Attendee)
	if err := s.SetPassword(ctx, "u_1", "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := s.UserByEmail(ctx, "pw@example.com"); err != nil || hash != "$argon2id$new" {
		t.Errorf("hash = %q, %v", hash, err)
	}
}

func testTokens(t *testing.T, s account.Store) {
	ctx := context.Background()
	ada := mustUser(t, s, "u_ada", "ada@example.com", account.Attendee)
	bob := mustUser(t, s, "u_bob", "bob@example.com", account.Organizer)
	type issued struct {
		user  account.User
		kind  account.TokenKind
		token string
		hash  account.TokenHash
	}
	var all []issued
	for _, u := range []account.User{ada, bob} {
		for _, kind := range []account.TokenKind{account.SessionToken, account.APIToken} {
			tok, h := account.NewToken()
			tk := account.Token{Hash: h, UserID: u.ID, Kind: kind, CreatedAt: accountEpoch, ExpiresAt: accountEpoch.Add(time.Hour)}
			if err := s.CreateToken(ctx, tk); err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			all = append(all, issued{u, kind, tok, h})
		}
	}
	for _, is := range all {
		u, tk, err := s.TokenUser(ctx, account.HashToken(is.token))
		if err != nil || u != is.user || tk.Kind != is.kind || tk.UserID != is.user.ID ||
			!tk.ExpiresAt.Equal(accountEpoch.Add(time.Hour)) || !tk.CreatedAt.Equal(accountEpoch) {
			t.Errorf("TokenUser = %+v, %+v, %v; want user %s kind %s", u, tk, err, is.user.ID, is.kind)
		}
	}
	// Revoking one token leaves the others.
	if err := s.DeleteToken(ctx, all[0].hash); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteToken(ctx, all[0].hash); err != nil {
		t.Errorf("deleting a missing token: %v", err)
	}
	_, _, err := s.TokenUser(ctx, all[0].hash)
	wantCode(t, "revoked token", err, errcode.NotFound)
	for _, is := range all[1:] {
		if _, _, err := s.TokenUser(ctx, is.hash); err != nil {
			t.Errorf("token of %s %s lost: %v", is.user.ID, is.kind, err)
		}
	}
}

func testExpiredTokens(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "x@example.com", account.Attendee)
	var hashes []account.TokenHash
	for i := range 3 {
		_, h := account.NewToken()
		hashes = append(hashes, h)
		if err := s.CreateToken(ctx, account.Token{Hash: h, UserID: "u_1", Kind: account.APIToken,
			CreatedAt: accountEpoch, ExpiresAt: accountEpoch.Add(time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredTokens(ctx, accountEpoch.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredTokens = %d, %v; want 2 (an expiry exactly at now is expired)", n, err)
	}
	if _, _, err := s.TokenUser(ctx, hashes[2]); err != nil {
		t.Errorf("the live token was swept: %v", err)
	}
}

func testFavorites(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_1", "f@example.com", account.Attendee)
	steps := []struct {
		name  string
		apply func() error
		want  map[string]string // group -> sessionID:priority
	}{
		{"star", func() error {
			return s.PutFavorite(ctx, account.Favorite{UserID: "u_1", RepeatGroup: "g1", SessionID: "s1a", Priority: account.Must, UpdatedAt: accountEpoch})
		}, map[string]string{"g1": "s1a:must"}},
		{"star another", func() error {
			return s.PutFavorite(ctx, account.Favorite{UserID: "u_1", RepeatGroup: "g2", SessionID: "s2", Priority: account.Maybe, UpdatedAt: accountEpoch})
		}, map[string]string{"g1": "s1a:must", "g2": "s2:maybe"}},
		{"overwrite through another sitting", func() error {
			return s.PutFavorite(ctx, account.Favorite{UserID: "u_1", RepeatGroup: "g1", SessionID: "s1b", Priority: account.Want, UpdatedAt: accountEpoch})
		}, map[string]string{"g1": "s1b:want", "g2": "s2:maybe"}},
		{"remove", func() error { return s.DeleteFavorite(ctx, "u_1", "g2") }, map[string]string{"g1": "s1b:want"}},
		{"remove again", func() error { return s.DeleteFavorite(ctx, "u_1", "g2") }, map[string]string{"g1": "s1b:want"}},
	}
	for _, st := range steps {
		if err := st.apply(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		list, err := s.Favorites(ctx, "u_1")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range list {
			got[f.RepeatGroup] = f.SessionID + ":" + string(f.Priority)
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Errorf("after %s: %v, want %v", st.name, got, st.want)
		}
	}
}

func testFavoritesScoped(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_a", "a@example.com", account.Attendee)
	mustUser(t, s, "u_b", "b@example.com", account.Attendee)
	if err := s.PutFavorite(ctx, account.Favorite{UserID: "u_a", RepeatGroup: "g", SessionID: "s", Priority: account.Must, UpdatedAt: accountEpoch}); err != nil {
		t.Fatal(err)
	}
	// B removing "the same content" removes only B's (absent) favourite.
	if err := s.DeleteFavorite(ctx, "u_b", "g"); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Favorites(ctx, "u_a")
	b, _ := s.Favorites(ctx, "u_b")
	if len(a) != 1 || len(b) != 0 {
		t.Errorf("A has %d favourites (want 1), B has %d (want 0)", len(a), len(b))
	}
}

func testBlocks(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_a", "a@example.com", account.Attendee)
	mustUser(t, s, "u_b", "b@example.com", account.Attendee)
	mk := func(id, user string, startHour int) account.Block {
		start := accountEpoch.Truncate(time.Hour).Add(time.Duration(startHour) * time.Hour)
		return account.Block{ID: id, UserID: user, Title: "Lunch " + id, Start: start, End: start.Add(time.Hour), VenueID: "wynn", CreatedAt: accountEpoch}
	}
	for _, b := range []account.Block{mk("b_late", "u_a", 5), mk("b_early", "u_a", 1), mk("b_other", "u_b", 2)} {
		if err := s.AddBlock(ctx, b, 10); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Blocks(ctx, "u_a")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0] != mk("b_early", "u_a", 1) || list[1] != mk("b_late", "u_a", 5) {
		t.Errorf("A's blocks = %+v", list)
	}
	tests := []struct {
		name, user, id string
		code           errcode.Code // "" = success
	}{
		{"another user's block", "u_b", "b_early", errcode.NotFound},
		{"missing block", "u_a", "b_missing", errcode.NotFound},
		{"own block", "u_a", "b_early", ""},
		{"already deleted", "u_a", "b_early", errcode.NotFound},
	}
	for _, tt := range tests {
		err := s.DeleteBlock(ctx, tt.user, tt.id)
		if tt.code == "" && err != nil || tt.code != "" && !errcode.Is(err, tt.code) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.code)
		}
	}
	if b, _ := s.Blocks(ctx, "u_b"); len(b) != 1 {
		t.Errorf("B's block count = %d, want 1", len(b))
	}
}

func testBlockLimit(t *testing.T, s account.Store) {
	ctx := context.Background()
	mustUser(t, s, "u_a", "a@example.com", account.Attendee)
	const limit, tries = 7, 40
	var ok, rejected atomic.Int32
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			start := accountEpoch.Add(time.Duration(i) * time.Hour)
			err := s.AddBlock(ctx, account.Block{ID: fmt.Sprintf("b_%02d", i), UserID: "u_a", Title: "x", Start: start, End: start.Add(time.Hour), CreatedAt: accountEpoch}, limit)
			switch {
			case err == nil:
				ok.Add(1)
			case errcode.Is(err, errcode.Invalid):
				rejected.Add(1)
			default:
				t.Errorf("AddBlock: %v", err)
			}
		})
	}
	wg.Wait()
	list, _ := s.Blocks(ctx, "u_a")
	if ok.Load() != limit || rejected.Load() != tries-limit || len(list) != limit {
		t.Errorf("%d stored, %d rejected, %d listed; want %d stored", ok.Load(), rejected.Load(), len(list), limit)
	}
}

func testSettings(t *testing.T, s account.Store) {
	ctx := context.Background()
	if _, err := s.Setting(ctx, "signup_mode"); !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("unset setting: %v, want not_found", err)
	}
	if err := s.PutSetting(ctx, "signup_mode", "registered"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting(ctx, "signup_mode", "open"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting(ctx, "signup_mode"); err != nil || v != "open" {
		t.Errorf("Setting = %q, %v; want the latest value", v, err)
	}
	// InitSetting: the first value stays, whoever asks later (concurrently).
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			v, err := s.InitSetting(ctx, "device_key", fmt.Sprintf("key-%d", i))
			if err != nil {
				t.Errorf("InitSetting: %v", err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] || v == "" {
			t.Fatalf("InitSetting returned %v: every caller must get the one stored value", got)
		}
	}
	if v, _ := s.Setting(ctx, "device_key"); v != got[0] {
		t.Errorf("stored %q, InitSetting said %q", v, got[0])
	}
}

func registration(email, name, badge, code string) account.Registration {
	return account.Registration{Email: email, Name: name, BadgeID: badge, Code: code, CreatedAt: accountEpoch}
}

func testRegistryImport(t *testing.T, s account.Store) {
	ctx := context.Background()
	existing := mustUser(t, s, "u_old", "old@example.com", account.Attendee)
	added, updated, err := s.PutRegistrations(ctx, []account.Registration{
		registration("ada@example.com", "Ada", "B-1", "aaaaa-aaaaa"),
		registration("old@example.com", "Old Timer", "B-2", "bbbbb-bbbbb"),
		registration("grace@example.com", "Grace", "", "ccccc-ccccc"),
	})
	if err != nil || added != 3 || updated != 0 {
		t.Fatalf("PutRegistrations = %d added, %d updated, %v", added, updated, err)
	}
	// A second import updates names and badges and keeps codes.
	added, updated, err = s.PutRegistrations(ctx, []account.Registration{
		registration("ada@example.com", "Ada Lovelace", "B-10", "zzzzz-zzzzz"),
		registration("alan@example.com", "Alan", "B-3", "ddddd-ddddd"),
	})
	if err != nil || added != 1 || updated != 1 {
		t.Fatalf("second PutRegistrations = %d added, %d updated, %v", added, updated, err)
	}
	list, err := s.Registrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []account.Registration{
		registration("ada@example.com", "Ada Lovelace", "B-10", "aaaaa-aaaaa"),
		registration("alan@example.com", "Alan", "B-3", "ddddd-ddddd"),
		registration("grace@example.com", "Grace", "", "ccccc-ccccc"),
		{Email: "old@example.com", Name: "Old Timer", BadgeID: "B-2", UserID: existing.ID, CreatedAt: accountEpoch, ClaimedAt: accountEpoch},
	}
	if len(list) != len(want) {
		t.Fatalf("Registrations = %+v, want %+v", list, want)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Errorf("registration %d = %+v, want %+v", i, list[i], want[i])
		}
	}
	// A badge id taken by another email: nothing of the import is kept.
	_, _, err = s.PutRegistrations(ctx, []account.Registration{
		registration("new@example.com", "New", "", "eeeee-eeeee"),
		registration("grace@example.com", "Grace", "B-3", ""),
	})
	wantCode(t, "a badge id of another attendee", err, errcode.Conflict)
	if after, _ := s.Registrations(ctx); len(after) != len(want) {
		t.Errorf("a failed import left %d registrations, want %d", len(after), len(want))
	}
}

func testRegistryClaim(t *testing.T, s account.Store) {
	ctx := context.Background()
	if _, _, err := s.PutRegistrations(ctx, []account.Registration{registration("ada@example.com", "Ada", "B-1", "k7qmz-3xtpa")}); err != nil {
		t.Fatal(err)
	}
	user := func(id, email string) account.User {
		return account.User{ID: id, Email: email, Name: "Ada", Role: account.Attendee, CreatedAt: accountEpoch}
	}
	refusals := []struct {
		name, email, code string
	}{
		{"a wrong code", "ada@example.com", "k7qmz-3xtpb"},
		{"no code", "ada@example.com", ""},
		{"not registered", "eve@example.com", "k7qmz-3xtpa"},
	}
	for _, r := range refusals {
		err := s.ClaimRegistration(ctx, r.code, user("u_x", r.email), "$argon2id$x")
		wantCode(t, r.name, err, errcode.NotFound)
	}
	if _, _, err := s.UserByEmail(ctx, "eve@example.com"); !errcode.Is(err, errcode.NotFound) {
		t.Error("a refused claim created an account")
	}
	// Many claims of one registration at once: exactly one account.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			err := s.ClaimRegistration(ctx, "k7qmz-3xtpa", user(fmt.Sprintf("u_claim%d", i), "ada@example.com"), "$argon2id$hash")
			switch {
			case err == nil:
				wins.Add(1)
			case !errcode.Is(err, errcode.NotFound):
				t.Errorf("claim %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d claims of one registration succeeded, want 1", wins.Load())
	}
	u, hash, err := s.UserByEmail(ctx, "ada@example.com")
	if err != nil || hash != "$argon2id$hash" || u.Role != account.Attendee {
		t.Fatalf("the claimed account: %+v, %q, %v", u, hash, err)
	}
	list, _ := s.Registrations(ctx)
	if len(list) != 1 || list[0].UserID != u.ID || list[0].Code != "" || list[0].ClaimedAt.IsZero() {
		t.Errorf("after the claim: %+v, want claimed by %s with no code left", list, u.ID)
	}
	wantCode(t, "a second claim", s.ClaimRegistration(ctx, "k7qmz-3xtpa", user("u_again", "ada@example.com"), "h"), errcode.NotFound)
}
