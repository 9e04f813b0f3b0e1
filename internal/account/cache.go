package account

import (
	"sync"
	"time"
)

// tokenCache remembers token hash → user for a short time, so the ~20,000
// authenticated requests/s of a reservation rush do not each cost a database
// read. Unknown tokens are remembered too (as nil), so a flood of bad tokens
// does not reach the database either. Revocation on this node (logout) drops
// the entry at once; the TTL bounds how long another node, or a role change
// made by the CLI, takes to be seen.
type tokenCache struct {
	ttl    time.Duration
	shards [cacheShards]cacheShard
}

const (
	cacheShards        = 64 // spreads lock contention over the cores
	maxEntriesPerShard = 4096
)

type cacheShard struct {
	mu sync.RWMutex
	m  map[TokenHash]cacheEntry
}

type cacheEntry struct {
	user  *User // nil: no such token (or expired)
	until time.Time
}

func newTokenCache(ttl time.Duration) *tokenCache {
	c := &tokenCache{ttl: ttl}
	for i := range c.shards {
		c.shards[i].m = make(map[TokenHash]cacheEntry)
	}
	return c
}

func (c *tokenCache) shard(h TokenHash) *cacheShard { return &c.shards[h[0]%cacheShards] }

// get returns the cached user (nil for a known-bad token) and whether the
// entry was present and fresh.
func (c *tokenCache) get(h TokenHash, now time.Time) (*User, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	s := c.shard(h)
	s.mu.RLock()
	e, ok := s.m[h]
	s.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.user, true
}

// put caches u until min(now+ttl, expires) (zero expires: now+ttl).
func (c *tokenCache) put(h TokenHash, u *User, now, expires time.Time) {
	if c.ttl <= 0 {
		return
	}
	until := now.Add(c.ttl)
	if !expires.IsZero() && expires.Before(until) {
		until = expires
	}
	s := c.shard(h)
	s.mu.Lock()
	if len(s.m) >= maxEntriesPerShard {
		// Full: start the shard over; cheaper than LRU bookkeeping on every
		// hit, and a miss costs only one indexed read.
		clear(s.m)
	}
	s.m[h] = cacheEntry{user: u, until: until}
	s.mu.Unlock()
}

func (c *tokenCache) drop(h TokenHash) {
	s := c.shard(h)
	s.mu.Lock()
	delete(s.m, h)
	s.mu.Unlock()
}
