//go:build !unix

package fdlimit

// Raise has nothing to raise here; it reports a generous limit.
func Raise() (int, error) { return 8192, nil }
