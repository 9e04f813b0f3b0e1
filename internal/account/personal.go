package account

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Limits on personal blocks: enough for any real week, small enough that no
// attendee can bloat the store or the planner's input.
const (
	MaxBlocksPerUser = 200
	MaxBlockTitleLen = 200
	MaxBlockLength   = 16 * time.Hour
)

// ParsePriority reads a priority as the API writes it.
func ParsePriority(s string) (Priority, error) {
	p := Priority(strings.ToLower(strings.TrimSpace(s)))
	if !p.Valid() {
		return "", invalidField("priority", "priority must be must, want or maybe")
	}
	return p, nil
}

// FavoriteEntry is one favourite content as the API returns it.
type FavoriteEntry struct {
	RepeatGroup string   `json:"repeatGroup"`
	SessionID   string   `json:"sessionId"`
	Priority    Priority `json:"priority"`
	Sittings    []string `json:"sittings"`
}

func sessionNotFound(id string) error {
	return errcode.New(errcode.NotFound, "there is no session %q", id)
}

// SetFavorite stars the content of the session (any of its sittings) with a
// priority, overwriting an earlier one.
func (s *Service) SetFavorite(ctx context.Context, snap *conference.Snapshot, userID, sessionID string, p Priority) (FavoriteEntry, error) {
	se, ok := snap.Session(sessionID)
	if !ok {
		return FavoriteEntry{}, sessionNotFound(sessionID)
	}
	if !p.Valid() {
		return FavoriteEntry{}, invalidField("priority", "priority must be must, want or maybe")
	}
	f := Favorite{UserID: userID, RepeatGroup: se.Group(), SessionID: se.ID, Priority: p, UpdatedAt: s.now().UTC()}
	if err := s.store.PutFavorite(ctx, f); err != nil {
		return FavoriteEntry{}, err
	}
	return favoriteEntry(snap, f), nil
}

// RemoveFavorite unstars the content of the session. Unstarring what is not
// starred is not an error; an unknown session is.
func (s *Service) RemoveFavorite(ctx context.Context, snap *conference.Snapshot, userID, sessionID string) error {
	se, ok := snap.Session(sessionID)
	if !ok {
		return sessionNotFound(sessionID)
	}
	// Through the sync log, so the service's clock stamps the tombstone.
	_, err := s.store.ApplyFavoriteChanges(ctx, userID, []FavoriteChange{{
		RepeatGroup: se.Group(), SessionID: se.ID, At: s.now().UTC(),
	}}, 0)
	return err
}

// Favorites returns the user's favourites, one per content, by the start of
// the sitting each was starred through (unscheduled and removed ones last).
func (s *Service) Favorites(ctx context.Context, snap *conference.Snapshot, userID string) ([]FavoriteEntry, error) {
	list, err := s.store.Favorites(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]FavoriteEntry, len(list))
	for i, f := range list {
		out[i] = favoriteEntry(snap, f)
	}
	start := func(e FavoriteEntry) time.Time {
		if se, ok := snap.Session(e.SessionID); ok && !se.Start.IsZero() {
			return se.Start
		}
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	slices.SortFunc(out, func(a, b FavoriteEntry) int {
		return cmp.Or(start(a).Compare(start(b)), strings.Compare(a.RepeatGroup, b.RepeatGroup))
	})
	return out, nil
}

// FavoritePriorities returns the user's priority per repeat group, for
// marking stars on lists.
func (s *Service) FavoritePriorities(ctx context.Context, userID string) (map[string]Priority, error) {
	list, err := s.store.Favorites(ctx, userID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Priority, len(list))
	for _, f := range list {
		m[f.RepeatGroup] = f.Priority
	}
	return m, nil
}

func favoriteEntry(snap *conference.Snapshot, f Favorite) FavoriteEntry {
	e := FavoriteEntry{RepeatGroup: f.RepeatGroup, SessionID: f.SessionID, Priority: f.Priority, Sittings: []string{}}
	for _, se := range snap.Sittings(f.RepeatGroup) {
		e.Sittings = append(e.Sittings, se.ID)
	}
	return e
}

// BlockInput is a block as a client sends it. Times are RFC 3339, or local
// times without an offset (2026-12-01T12:30) read in the conference's zone.
type BlockInput struct {
	Title   string `json:"title"`
	Start   string `json:"start"`
	End     string `json:"end"`
	VenueID string `json:"venueId,omitempty"`
}

// ParseLocalTime reads an instant as docs/api.md's time rules say: RFC 3339, or
// without an offset in the conference's zone.
func ParseLocalTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errcode.New(errcode.Invalid, "expected a time like 2026-12-01T12:30 or 2026-12-01T12:30:00-08:00, got %q", s)
}

// CheckBlock validates a block against the conference and returns it (not
// stored): a title of 1 to 200 characters, start and end within the
// conference days ±1, end after start, at most 16 hours, a known venue.
func CheckBlock(snap *conference.Snapshot, in BlockInput) (Block, error) {
	var b Block
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		return b, invalidField("title", "give the block a title")
	case !utf8.ValidString(title) || utf8.RuneCountInString(title) > MaxBlockTitleLen:
		return b, invalidField("title", "the title must be at most %d characters", MaxBlockTitleLen)
	}
	start, err := ParseLocalTime(in.Start, snap.Loc)
	if err != nil {
		return b, fieldOf(err, "start")
	}
	end, err := ParseLocalTime(in.End, snap.Loc)
	if err != nil {
		return b, fieldOf(err, "end")
	}
	if !end.After(start) {
		return b, invalidField("end", "the end must be after the start")
	}
	if end.Sub(start) > MaxBlockLength {
		return b, invalidField("end", "a block can last at most %d hours", int(MaxBlockLength.Hours()))
	}
	if lo, hi, ok := blockWindow(snap); ok {
		if start.Before(lo) || end.After(hi) {
			return b, invalidField("start", "a block must fall between %s and %s (the conference days and one day either side)",
				lo.Format("Mon 2 Jan"), hi.Add(-time.Minute).Format("Mon 2 Jan"))
		}
	}
	venue := strings.TrimSpace(in.VenueID)
	if venue != "" {
		if _, ok := snap.Venue(venue); !ok {
			return b, invalidField("venueId", "there is no venue %q", venue)
		}
	}
	return Block{Title: title, Start: start.UTC(), End: end.UTC(), VenueID: venue}, nil
}

// blockWindow is [first day − 1 day, last day + 2 days) at local midnight.
func blockWindow(snap *conference.Snapshot) (lo, hi time.Time, ok bool) {
	days := snap.Conf.Days
	if len(days) == 0 {
		return lo, hi, false
	}
	first, err1 := time.ParseInLocation(time.DateOnly, days[0], snap.Loc)
	last, err2 := time.ParseInLocation(time.DateOnly, days[len(days)-1], snap.Loc)
	if err1 != nil || err2 != nil {
		return lo, hi, false
	}
	return first.AddDate(0, 0, -1), last.AddDate(0, 0, 2), true
}

// BlockWindow is when blocks may fall, [lo, hi), for forms.
func BlockWindow(snap *conference.Snapshot) (lo, hi time.Time, ok bool) { return blockWindow(snap) }

// fieldOf marks a coded Invalid error as being about a field, and
// unprocessable (the JSON was fine; the value is not).
func fieldOf(err error, field string) error {
	if e, ok := err.(*errcode.Error); ok && e.Code == errcode.Invalid {
		c := *e
		c.Unprocessable = true
		c.Message = field + ": " + c.Message
		c.Details = FieldError{Field: field}
		return &c
	}
	return err
}

// AddBlock checks and stores a personal block for the user.
func (s *Service) AddBlock(ctx context.Context, snap *conference.Snapshot, userID string, in BlockInput) (Block, error) {
	b, err := CheckBlock(snap, in)
	if err != nil {
		return b, err
	}
	b.ID = newID("b_")
	b.UserID = userID
	b.CreatedAt = s.now().UTC()
	if err := s.store.AddBlock(ctx, b, MaxBlocksPerUser); err != nil {
		return Block{}, err
	}
	return b, nil
}

// Blocks returns the user's blocks by start.
func (s *Service) Blocks(ctx context.Context, userID string) ([]Block, error) {
	return s.store.Blocks(ctx, userID)
}

// DeleteBlock removes one of the user's blocks; another user's block is
// NotFound, exactly like a missing one.
func (s *Service) DeleteBlock(ctx context.Context, userID, blockID string) error {
	return s.store.DeleteBlock(ctx, userID, blockID)
}
