package store

import (
	"errors"
	"syscall"
	"time"

	"venuehop/internal/errcode"
)

// NoSpaceRetry is the Retry-After of a write refused for a full disk:
// long enough for an operator to free space, short enough to retry.
const NoSpaceRetry = 30 * time.Second

// NoSpace returns the one error of a write refused because the disk (or
// the database's quota) is full, or nil when err is not that: SQLite's
// SQLITE_FULL (primary code 13, also inside its extended codes),
// PostgreSQL's disk_full (SQLSTATE 53100), or the system's ENOSPC. Both
// backends map their errors through it, so every write on a full disk is
// errcode.Unavailable (503 with Retry-After), never a 500: nothing was
// written, and the same request succeeds once there is room.
func NoSpace(err error, what string) error {
	if err == nil || !noSpace(err) {
		return nil
	}
	e := errcode.Retry(errcode.Unavailable, NoSpaceRetry, "%s: the server's disk is full, so nothing was saved; try again in a minute", what)
	e.Err = err
	return e
}

func noSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	const sqliteFull = 13
	var lite interface{ Code() int }
	if errors.As(err, &lite) && lite.Code()&0xff == sqliteFull {
		return true
	}
	var pg interface{ SQLState() string }
	return errors.As(err, &pg) && pg.SQLState() == "53100"
}
