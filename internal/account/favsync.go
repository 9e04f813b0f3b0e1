package account

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"venuehop/internal/conference"
)

// Limits on favourites sync (docs/offline.md, "Favourites sync").
const (
	// MaxSyncChanges is the most changes one sync request may carry.
	MaxSyncChanges = 500
	// MaxFavoriteStates is the most favourite states (starred or
	// tombstone) kept per attendee: tombstones and favourites of sessions
	// a re-import removed are kept, so this is well above any catalog.
	MaxFavoriteStates = 5000
	// MaxSyncIDLen bounds a session id a device may send.
	MaxSyncIDLen = 128
)

// SyncInput is one change a device sends: star (with a priority, want
// when empty) or unstar the content of a session. ClientAt, the device's
// time of the change, is checked but not used: the server's order decides.
type SyncInput struct {
	SessionID string `json:"sessionId"`
	Starred   bool   `json:"starred"`
	Priority  string `json:"priority,omitempty"`
	ClientAt  string `json:"clientAt,omitempty"`
}

// SyncChange is one content's current state as sync returns it.
type SyncChange struct {
	SessionID   string    `json:"sessionId"`
	RepeatGroup string    `json:"repeatGroup"`
	Starred     bool      `json:"starred"`
	Priority    Priority  `json:"priority,omitempty"`
	At          time.Time `json:"at"`
}

// ParseCursor reads a sync cursor: "" (a new device) or a decimal seq.
func ParseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || len(s) > 20 {
		return 0, invalidField("since", "the cursor must be one a sync answer gave, or empty for everything; got %q", s)
	}
	return n, nil
}

// FavoriteChanges returns the user's favourite states written after the
// cursor, in server order, and the cursor to send next. A cursor beyond
// anything the user has (another store's, a restored backup's) gets
// everything, as a new device would.
func (s *Service) FavoriteChanges(ctx context.Context, userID, cursor string) ([]SyncChange, string, error) {
	since, err := ParseCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	return s.changesSince(ctx, userID, since)
}

func (s *Service) changesSince(ctx context.Context, userID string, since int64) ([]SyncChange, string, error) {
	list, high, err := s.store.FavoriteChanges(ctx, userID, since)
	if err != nil {
		return nil, "", err
	}
	if since > high {
		if list, high, err = s.store.FavoriteChanges(ctx, userID, 0); err != nil {
			return nil, "", err
		}
	}
	out := make([]SyncChange, len(list))
	for i, c := range list {
		out[i] = SyncChange{SessionID: c.SessionID, RepeatGroup: c.RepeatGroup, Starred: c.Starred, Priority: c.Priority, At: c.At}
	}
	return out, strconv.FormatInt(high, 10), nil
}

// SyncFavorites applies a device's changes in the order given, each at the
// server's time of receipt (the last write in server order wins; a
// tombstone is a change like any other), and returns the changes since
// the device's cursor — its own included — and the next cursor.
//
// A session id names its content through the current catalog; one the
// catalog no longer has (a re-import removed it) names the content of the
// user's state last set through it, else a content of its own. All
// changes are checked before any is applied.
func (s *Service) SyncFavorites(ctx context.Context, snap *conference.Snapshot, userID string, in []SyncInput, cursor string) ([]SyncChange, string, error) {
	since, err := ParseCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if len(in) > MaxSyncChanges {
		return nil, "", invalidField("changes", "at most %d changes per request; send the rest in another", MaxSyncChanges)
	}
	now := s.now().UTC()
	var known map[string]string // session id -> group of the user's states
	changes := make([]FavoriteChange, len(in))
	for i, c := range in {
		id := c.SessionID
		if !validSyncID(id) {
			return nil, "", invalidField("changes", "change %d: a session id is 1 to %d characters without spaces, got %q", i+1, MaxSyncIDLen, truncate(id, 40))
		}
		if c.ClientAt != "" {
			if _, err := time.Parse(time.RFC3339, c.ClientAt); err != nil {
				return nil, "", invalidField("changes", "change %d: clientAt must be an RFC 3339 time, got %q", i+1, truncate(c.ClientAt, 40))
			}
		}
		fc := FavoriteChange{SessionID: id, Starred: c.Starred, At: now}
		if c.Starred {
			fc.Priority = Want
			if c.Priority != "" {
				p, err := ParsePriority(c.Priority)
				if err != nil {
					return nil, "", invalidField("changes", "change %d: priority must be must, want or maybe", i+1)
				}
				fc.Priority = p
			}
		}
		if se, ok := snap.Session(id); ok {
			fc.RepeatGroup = se.Group()
		} else {
			if known == nil {
				list, _, err := s.store.FavoriteChanges(ctx, userID, 0)
				if err != nil {
					return nil, "", err
				}
				known = make(map[string]string, len(list))
				for _, st := range list {
					known[st.SessionID] = st.RepeatGroup
				}
			}
			fc.RepeatGroup = id
			if g, ok := known[id]; ok {
				fc.RepeatGroup = g
			}
		}
		changes[i] = fc
	}
	if len(changes) > 0 {
		if _, err := s.store.ApplyFavoriteChanges(ctx, userID, changes, MaxFavoriteStates); err != nil {
			return nil, "", err
		}
	}
	return s.changesSince(ctx, userID, since)
}

func validSyncID(id string) bool {
	if id == "" || len(id) > MaxSyncIDLen || !utf8.ValidString(id) {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) < 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
