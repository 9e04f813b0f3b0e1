package storetest_test

import (
	"testing"

	"venuehop/internal/account"
	"venuehop/internal/store/storetest"
)

// The throttle suite on the memory store, one store for both "nodes": the
// reference the database stores must match.
func TestThrottleStoreInMemory(t *testing.T) {
	storetest.RunThrottleStore(t, func(t *testing.T) (a, b account.ThrottleStore) {
		m := account.NewMemoryThrottleStore()
		return m, m
	})
}
