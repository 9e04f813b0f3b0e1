package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"venuehop/internal/config"
	"venuehop/internal/store"
	"venuehop/internal/store/postgres"
	"venuehop/internal/store/sqlite"
)

// lockedStore is an SQLite store with its data directory's writer lock;
// Close releases both.
type lockedStore struct {
	*sqlite.Store
	lock *sqlite.Lock
}

func (s *lockedStore) Close() error {
	return errors.Join(s.Store.Close(), s.lock.Release())
}

func openLocked(ctx context.Context, dir string) (store.Stores, error) {
	lock, err := sqlite.LockDir(dir, commandName())
	if err != nil {
		return store.Stores{}, err
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		lock.Release()
		return store.Stores{}, err
	}
	all := st.Stores()
	all.Store = &lockedStore{Store: st, lock: lock}
	return all, nil
}

// commandName is what the lock file says holds it: the program and its
// command ("venuehop serve").
func commandName() string {
	name := filepath.Base(os.Args[0])
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		name += " " + os.Args[1]
	}
	return name
}

// OpenStoreReadOnly opens the store for a command that only reads (export,
// check, travel, plan): SQLite read-only and without the lock, so it works
// beside a running server and creates nothing; PostgreSQL as usual.
func OpenStoreReadOnly(ctx context.Context, cfg config.Config) (store.Stores, error) {
	if cfg.DB != "" {
		st, err := postgres.Open(ctx, cfg.DB)
		if err != nil {
			return store.Stores{}, err
		}
		return st.Stores(), nil
	}
	st, err := sqlite.OpenReadOnly(ctx, cfg.DataDir)
	if err != nil {
		return store.Stores{}, err
	}
	return st.Stores(), nil
}
