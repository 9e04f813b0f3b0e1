package sqlite

import (
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/store/storetest"
)

func TestAccountsConformance(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) account.Store {
		s := openTemp(t)
		t.Cleanup(func() { s.Close() })
		return s.Accounts()
	})
}
