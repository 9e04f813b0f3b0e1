package postgres

import (
	"context"
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/store"
	"venuehop/internal/store/postgres/pgtest"
	"venuehop/internal/store/storetest"
	"venuehop/internal/webpush"
)

// openTemp opens a store on a fresh schema of the test server; the store
// is closed and the schema dropped when the test ends.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
	storetest.RunPersistence(t, func(t *testing.T) func() (store.Store, error) {
		u := pgtest.URL(t)
		return func() (store.Store, error) { return Open(context.Background(), u) }
	})
}

func TestAccountsConformance(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) account.Store { return openTemp(t).Accounts() })
}

func TestReservationConformance(t *testing.T) {
	storetest.RunReservations(t, func(t *testing.T) storetest.SeatStore { return openTemp(t) })
}

func TestPlansConformance(t *testing.T) {
	storetest.RunPlans(t, func(t *testing.T) agenda.PlanStore { return openTemp(t).Plans() })
}

func TestCalendarFeedsConformance(t *testing.T) {
	storetest.RunCalendarFeeds(t, func(t *testing.T) storetest.FeedStore { return openTemp(t) })
}

func TestPushConformance(t *testing.T) {
	storetest.RunPush(t, func(t *testing.T) func() webpush.Store {
		u := pgtest.URL(t)
		return func() webpush.Store {
			s, err := Open(context.Background(), u)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

func TestNoticesConformance(t *testing.T) {
	storetest.RunNotices(t, func(t *testing.T) storetest.NoticeStore { return openTemp(t) })
}
