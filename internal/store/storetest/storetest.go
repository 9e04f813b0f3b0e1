// Package storetest is the conformance suite every store backend passes.
// A backend's test calls Run (and RunPersistence when it keeps data across
// reopen) with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"EmptyIsNotFound", testEmptyIsNotFound},
		{"RoundTrip", testRoundTrip},
		{"RevisionsIncrease", testRevisionsIncrease},
		{"StaleBaseIsConflict", testStaleBaseIsConflict},
		{"ConcurrentSavesOneWins", testConcurrentSavesOneWins},
		{"FailedSaveStoresNothing", testFailedSaveStoresNothing},
		{"CheckHealthy", testCheckHealthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.run(t, s)
		})
	}
}

// RunPersistence checks that data outlives the store value. newPlace is
// called once per test and returns an opener for one fresh place (a temp
// directory, a fresh database); every call of the opener opens a new store
// on that same place.
func RunPersistence(t *testing.T, newPlace func(t *testing.T) func() (store.Store, error)) {
	t.Helper()
	t.Run("Reopen", func(t *testing.T) {
		ctx := context.Background()
		reopen := newPlace(t)
		s := mustOpen(t, reopen)
		want := Sample("persisted")
		rev1 := mustSave(t, s, want, 0)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s = mustOpen(t, reopen)
		assertNewest(t, s, want, rev1)
		second := Sample("second after reopen")
		rev2 := mustSave(t, s, second, rev1)
		if _, err := s.SaveConference(ctx, Sample("stale"), rev1); !errcode.Is(err, errcode.Conflict) {
			t.Errorf("save on stale base after reopen: got %v, want conflict", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s = mustOpen(t, reopen)
		defer s.Close()
		assertNewest(t, s, second, rev2)
		assertHealthy(t, s)
	})
}

func mustOpen(t *testing.T, open func() (store.Store, error)) store.Store {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func mustSave(t *testing.T, s store.Store, c *conference.Conference, base int64) int64 {
	t.Helper()
	rev, err := s.SaveConference(context.Background(), c, base)
	if err != nil {
		t.Fatalf("SaveConference(base %d): %v", base, err)
	}
	return rev
}

// assertNewest loads the newest revision and compares it with want.
func assertNewest(t *testing.T, s store.Store, want *conference.Conference, wantRev int64) {
	t.Helper()
	got, rev, err := s.LoadConference(context.Background())
	if err != nil {
		t.Fatalf("LoadConference: %v", err)
	}
	if rev != wantRev {
		t.Errorf("LoadConference rev = %d, want %d", rev, wantRev)
	}
	if diff := Diff(want, got); diff != "" {
		t.Errorf("LoadConference returned a different conference: %s", diff)
	}
}

func assertHealthy(t *testing.T, s store.Store) {
	t.Helper()
	problems, err := s.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(problems) > 0 {
		t.Errorf("Check on a healthy store found %d problems: %q", len(problems), problems)
	}
}

func testEmptyIsNotFound(t *testing.T, s store.Store) {
	c, rev, err := s.LoadConference(context.Background())
	if !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("LoadConference on an empty store: err = %v, want not_found", err)
	}
	if c != nil || rev != 0 {
		t.Errorf("LoadConference on an empty store = (%v, %d), want (nil, 0)", c, rev)
	}
}

func testRoundTrip(t *testing.T, s store.Store) {
	minimal := &conference.Conference{
		Format: conference.FormatVersion, ID: "min", Name: "Minimal",
		TimeZone: "Europe/Berlin", Days: []string{"2026-03-29"},
	}
	cases := []struct {
		name string
		c    *conference.Conference
	}{
		{"every field set", Sample("Round trip")},
		{"optional parts absent", minimal},
	}
	var base int64
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rev := mustSave(t, s, tc.c, base)
			base = rev
			assertNewest(t, s, tc.c, rev)
		})
	}
}

func testRevisionsIncrease(t *testing.T, s store.Store) {
	var base int64
	for i := range 5 {
		c := Sample(fmt.Sprintf("revision %d", i))
		rev := mustSave(t, s, c, base)
		if rev <= base {
			t.Fatalf("save %d returned rev %d, not above base %d", i, rev, base)
		}
		assertNewest(t, s, c, rev)
		base = rev
	}
}

func testStaleBaseIsConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.SaveConference(ctx, Sample("never"), 7); !errcode.Is(err, errcode.Conflict) {
		t.Errorf("save on an empty store with base 7: err = %v, want conflict", err)
	}
	if _, _, err := s.LoadConference(ctx); !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("after a refused save on an empty store: err = %v, want not_found", err)
	}

	first := Sample("first")
	rev1 := mustSave(t, s, first, 0)
	second := Sample("second")
	rev2 := mustSave(t, s, second, rev1)

	for _, base := range []int64{0, rev1, rev2 + 1, -1} {
		_, err := s.SaveConference(ctx, Sample("stale"), base)
		if !errcode.Is(err, errcode.Conflict) {
			t.Errorf("save with base %d (newest %d): err = %v, want conflict", base, rev2, err)
		}
	}
	assertNewest(t, s, second, rev2)
}

func testConcurrentSavesOneWins(t *testing.T, s store.Store) {
	base := mustSave(t, s, Sample("base"), 0)
	const writers = 8
	type result struct {
		name string
		rev  int64
		err  error
	}
	results := make(chan result, writers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range writers {
		done.Add(1)
		go func() {
			defer done.Done()
			name := fmt.Sprintf("writer %d", i)
			start.Wait()
			rev, err := s.SaveConference(context.Background(), Sample(name), base)
			results <- result{name, rev, err}
		}()
	}
	start.Done()
	done.Wait()
	close(results)

	var winners []result
	for r := range results {
		switch {
		case r.err == nil:
			winners = append(winners, r)
		case !errcode.Is(r.err, errcode.Conflict):
			t.Errorf("%s: err = %v, want nil or conflict", r.name, r.err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d saves from the same base won, want exactly 1: %+v", len(winners), winners)
	}
	assertNewest(t, s, Sample(winners[0].name), winners[0].rev)
}

func testFailedSaveStoresNothing(t *testing.T, s store.Store) {
	want := Sample("kept")
	rev := mustSave(t, s, want, 0)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SaveConference(cancelled, Sample("cancelled"), rev); err == nil {
		t.Errorf("save with a cancelled context succeeded")
	}
	if _, err := s.SaveConference(context.Background(), nil, rev); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("save of nil: err = %v, want invalid", err)
	}
	assertNewest(t, s, want, rev)
	// The failed saves must not have used up the next revision.
	if next := mustSave(t, s, Sample("next"), rev); next != rev+1 {
		t.Errorf("save after failed saves returned rev %d, want %d", next, rev+1)
	}
}

func testCheckHealthy(t *testing.T, s store.Store) {
	assertHealthy(t, s)
	mustSave(t, s, Sample("checked"), 0)
	assertHealthy(t, s)
}

// Diff returns "" when a and b hold the same conference, else a short
// description of the first difference. Times compare as instants: a store
// may return them in another location (UTC) than they were saved in.
func Diff(a, b *conference.Conference) string {
	if (a == nil) != (b == nil) {
		return fmt.Sprintf("one is nil: %v vs %v", a == nil, b == nil)
	}
	if a == nil {
		return ""
	}
	na, nb := *a, *b
	normalizeTimes(reflect.ValueOf(&na).Elem())
	normalizeTimes(reflect.ValueOf(&nb).Elem())
	return firstDiff("conference", reflect.ValueOf(na), reflect.ValueOf(nb))
}

var timeType = reflect.TypeFor[time.Time]()

// normalizeTimes rewrites every time.Time reachable from v to UTC, copying
// slices and pointed-to structs first so the caller's values stay untouched.
func normalizeTimes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalizeTimes(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := range c.Len() {
			normalizeTimes(c.Index(i))
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		v.Set(c)
		normalizeTimes(c.Elem())
	}
}

// firstDiff names the path of the first difference between a and b.
func firstDiff(path string, a, b reflect.Value) string {
	switch a.Kind() {
	case reflect.Struct:
		if a.Type() == timeType {
			if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
				return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
			}
			return ""
		}
		for i := range a.NumField() {
			if d := firstDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs nil %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Pointer:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs nil %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return firstDiff(path, a.Elem(), b.Elem())
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface())
	}
	return ""
}
