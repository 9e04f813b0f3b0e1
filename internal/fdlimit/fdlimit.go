// Package fdlimit raises the process's open-file limit and splits it
// between long-lived event streams and everything else, so that streams can
// never take the descriptors ordinary requests (and the database) need.
package fdlimit

// Budget is how the descriptors are shared out.
type Budget struct {
	// Limit is the soft open-file limit in force (after Raise).
	Limit int
	// Streams is the default cap on concurrent event streams.
	Streams int
	// Conns is the cap on open client connections, streams included: the
	// rest of Limit stays for the database, the log and the listener.
	Conns int
}

const (
	// overhead are descriptors that are not client connections: the
	// database files and pool, the listener, the log, the runtime's.
	overhead = 64
	// minReserve is the least kept for ordinary requests besides streams.
	minReserve = 64
	// maxStreams bounds the default however many descriptors there are:
	// each stream also costs memory (a goroutine and its buffer).
	maxStreams = 10000
)

// Split shares limit descriptors out: a quarter of them (at least
// minReserve, and the overhead on top) for ordinary requests, the rest for
// streams, at most maxStreams.
func Split(limit int) Budget {
	b := Budget{Limit: limit, Conns: max(limit-overhead, 1)}
	reserve := max(limit/4, minReserve)
	b.Streams = min(max(limit-overhead-reserve, 1), maxStreams)
	return b
}
