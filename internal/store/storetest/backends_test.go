package storetest_test

import (
	"context"
	"testing"

	"venuehop/internal/agenda"
	"venuehop/internal/store/sqlite"
	"venuehop/internal/store/storetest"
	"venuehop/internal/webpush"
)

// The plan and calendar feed suites on the reference backend (the SQLite
// package's own tests predate them); the PostgreSQL package runs them too.
func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPlansOnSQLite(t *testing.T) {
	storetest.RunPlans(t, func(t *testing.T) agenda.PlanStore { return openSQLite(t).Plans() })
}

func TestCalendarFeedsOnSQLite(t *testing.T) {
	storetest.RunCalendarFeeds(t, func(t *testing.T) storetest.FeedStore { return openSQLite(t) })
}

func TestPushOnSQLite(t *testing.T) {
	storetest.RunPush(t, func(t *testing.T) func() webpush.Store {
		dir := t.TempDir()
		return func() webpush.Store {
			s, err := sqlite.Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

func TestNoticesOnSQLite(t *testing.T) {
	storetest.RunNotices(t, func(t *testing.T) storetest.NoticeStore { return openSQLite(t) })
}
