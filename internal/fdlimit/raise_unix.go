//go:build unix

package fdlimit

import "syscall"

// Raise lifts the soft open-file limit to the hard limit (the most an
// unprivileged process may have) and returns the limit now in force. The Go
// runtime does the same at start on some systems; doing it here makes it
// certain and tells the caller the number.
func Raise() (int, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return clamp(lim.Cur), err
		}
		lim = want
	}
	return clamp(lim.Cur), nil
}

// clamp keeps an "unlimited" limit within an int's range.
func clamp(n uint64) int { return int(min(n, 1<<20)) }
