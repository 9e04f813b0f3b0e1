//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked by another process")

// tryLock refuses: without flock(2) a second writer could not be kept
// out, and two writers on one store overbook seats.
func tryLock(*os.File) error {
	return errors.New("this system has no flock(2); run venuehop on Linux, macOS or a BSD, or use PostgreSQL (--db)")
}
