// Package catalog is the search index and filters over a conference
// snapshot. An Index is immutable; package live holds the current one.
package catalog

import (
	"time"

	"venuehop/internal/conference"
)

// Query is one search: free text, filters (OR within a filter, AND across
// filters), order and page.
type Query struct {
	Text   string
	Types  []string // session types as the API writes them, any case
	Levels []int
	Topics []string
	Venues []string // venue ids
	Days   []string // YYYY-MM-DD in the conference zone
	// From and To bound the time window: sessions starting at or after
	// From and ending at or before To. Zero means unbounded.
	From, To time.Time
	// FromClock and ToClock bound the time of day (minutes after midnight
	// in the conference zone, 0..1440) when the window was given as HH:MM;
	// zero or negative when unset (a window from 00:00 or to 00:00 bounds
	// nothing).
	FromClock, ToClock int
	// EndAfter keeps the sessions still running or to come at an instant:
	// those ending after it. Zero: no bound.
	EndAfter   time.Time
	Reservable *bool
	Recorded   *bool
	// IncludeCancelled also lists cancelled sessions (for organizers);
	// they are left out by default.
	IncludeCancelled bool
	Sort             string // "relevance" or "start"; "" picks the default
	Limit            int    // default 50, max 200; 0 picks the default
	Cursor           string // opaque, from Result.Next
}

// Result is one page of matches.
type Result struct {
	Sessions []*conference.Session
	Total    int
	// Facets counts the matches per value of each filter, ignoring that
	// filter's own selection: "type", "level", "topic", "venue", "day".
	Facets map[string]map[string]int
	Next   string // empty on the last page
}
