package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"venuehop/internal/errcode"
)

// LockFileName is the lock file in the data directory. The process that
// holds it is the store's one writer; it writes its pid and what it is
// (serve, import, ...) into the file so that a refused one can name it.
const LockFileName = "venuehop.lock"

// Lock is a data directory's writer lock, held until Release. It is an
// flock(2) on the lock file: the kernel drops it when the process exits,
// however it exits (a SIGKILL included), so a stale file never blocks the
// next start.
type Lock struct {
	f *os.File
}

// LockDir takes the writer lock of the data directory dir (creating dir
// and the lock file when needed), for the process described by what
// ("venuehop serve"). It never
// waits: when another process holds the lock the error says which one
// (errcode.Conflict).
func LockDir(dir, what string) (*Lock, error) {
	if dir == "" {
		return nil, errcode.New(errcode.Invalid, "data directory is not set")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errcode.Wrap(errcode.Invalid, err, "data directory %s", dir)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot create data directory %s", abs)
	}
	path := filepath.Join(abs, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "cannot open the lock file %s", path)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, errcode.Wrap(errcode.Unavailable, err, "cannot lock %s", path)
		}
		return nil, errcode.New(errcode.Conflict, "the data directory %s is in use by %s; stop it first (one process writes a store at a time)", abs, holder(path))
	}
	// The holder's description replaces whatever a previous holder left.
	// It only names the holder in a refusal: the lock is the flock, so a
	// note that cannot be written is no reason to refuse the start.
	note := fmt.Sprintf("%d %s\n", os.Getpid(), what)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(note), 0)
	}
	return &Lock{f: f}, nil
}

// holder describes the process named in the lock file.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "another process"
	}
	pid, what, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if _, err := strconv.Atoi(pid); err != nil {
		// The holder has not written its note yet.
		return "another process"
	}
	if what == "" {
		what = "a process"
	}
	return fmt.Sprintf("%s (pid %s)", what, pid)
}

// Release drops the lock. The file stays: removing it would let a
// process that opened it before the removal lock a file nobody else sees.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor drops the flock
	l.f = nil
	return err
}
