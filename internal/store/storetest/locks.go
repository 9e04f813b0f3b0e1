package storetest

import (
	"context"
	"slices"
	"testing"

	"venuehop/internal/agenda"
)

// testLocks: locks are per attendee, idempotent, and survive in the store.
func testLocks(t *testing.T, s agenda.PlanStore) {
	ctx := context.Background()
	if got, err := s.Locks(ctx, "u_a"); err != nil || len(got) != 0 || got == nil {
		t.Fatalf("Locks before any: %v %v, want an empty list", got, err)
	}
	for _, item := range []string{"session:S2", "block:b_1", "session:S1", "session:S2"} {
		if err := s.SetLock(ctx, "u_a", item, true); err != nil {
			t.Fatalf("SetLock %s: %v", item, err)
		}
	}
	if err := s.SetLock(ctx, "u_b", "session:S9", true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Locks(ctx, "u_a"); err != nil || !slices.Equal(got, []string{"block:b_1", "session:S1", "session:S2"}) {
		t.Errorf("Locks(u_a) = %v %v", got, err)
	}
	for range 2 { // unlocking twice is unlocking once
		if err := s.SetLock(ctx, "u_a", "session:S1", false); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Locks(ctx, "u_a"); err != nil || !slices.Equal(got, []string{"block:b_1", "session:S2"}) {
		t.Errorf("Locks(u_a) after unlock = %v %v", got, err)
	}
	if got, err := s.Locks(ctx, "u_b"); err != nil || !slices.Equal(got, []string{"session:S9"}) {
		t.Errorf("Locks(u_b) = %v %v: another attendee's locks leaked or got lost", got, err)
	}
}
