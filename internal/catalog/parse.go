package catalog

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// ParseQuery reads the query parameters of GET /api/v1/sessions (q, type,
// level, topic, venue, day, from, to, endAfter, reservable, recorded, sort,
// limit, cursor). Filters take comma-separated values and may repeat; empty values
// are ignored, so a plain HTML form's "any" choice filters nothing. Unknown
// parameter names are ignored. A bad value is an errcode.Invalid error whose
// message names the parameter and what was expected. Times without an
// offset are read in the snapshot's zone (UTC when snap is nil).
func ParseQuery(v url.Values, snap *conference.Snapshot) (Query, error) {
	loc := time.UTC
	if snap != nil && snap.Loc != nil {
		loc = snap.Loc
	}
	q := Query{
		Text:   strings.TrimSpace(v.Get("q")),
		Types:  list(v, "type"),
		Topics: list(v, "topic"),
		Venues: list(v, "venue"),
		Cursor: strings.TrimSpace(v.Get("cursor")),
	}
	for _, s := range list(v, "level") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return Query{}, invalid("level: expected a level such as 100, 200, 300, 400 or 500, got %q", s)
		}
		q.Levels = append(q.Levels, n)
	}
	for _, s := range list(v, "day") {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return Query{}, invalid("day: expected a date YYYY-MM-DD, got %q", s)
		}
		q.Days = append(q.Days, d.Format(time.DateOnly))
	}
	var err error
	if q.From, q.FromClock, err = parseWhen("from", v.Get("from"), loc); err != nil {
		return Query{}, err
	}
	if q.To, q.ToClock, err = parseWhen("to", v.Get("to"), loc); err != nil {
		return Query{}, err
	}
	if s := strings.TrimSpace(v.Get("endAfter")); s != "" {
		var clock int
		if q.EndAfter, clock, err = parseWhen("endAfter", s, loc); err != nil {
			return Query{}, err
		}
		if clock > 0 || q.EndAfter.IsZero() {
			return Query{}, invalid("endAfter: expected an instant such as 2026-12-01T10:05:00-08:00, got %q", s)
		}
	}
	if q.Reservable, err = parseBool("reservable", v.Get("reservable")); err != nil {
		return Query{}, err
	}
	if q.Recorded, err = parseBool("recorded", v.Get("recorded")); err != nil {
		return Query{}, err
	}
	switch s := strings.ToLower(strings.TrimSpace(v.Get("sort"))); s {
	case "", SortRelevance, SortStart:
		q.Sort = s
	default:
		return Query{}, invalid("sort: expected relevance or start, got %q", v.Get("sort"))
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Query{}, invalid("limit: expected a whole number from 1 to %d, got %q", MaxLimit, s)
		}
		if n <= 0 || n > MaxLimit {
			// A bad query parameter is a 400, like every other.
			return Query{}, invalid("limit: expected a whole number from 1 to %d, got %d", MaxLimit, n)
		}
		q.Limit = n
	}
	return q, nil
}

func invalid(format string, args ...any) *errcode.Error {
	return errcode.New(errcode.Invalid, format, args...)
}

// list returns the non-empty comma-separated values of every occurrence of
// the parameter.
func list(v url.Values, name string) []string {
	var out []string
	for _, raw := range v[name] {
		for s := range strings.SplitSeq(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func parseBool(name, s string) (*bool, error) {
	var b bool
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return nil, nil
	case "true":
		b = true
	case "false":
		b = false
	default:
		return nil, invalid("%s: expected true or false, got %q", name, s)
	}
	return &b, nil
}

// parseWhen reads a time window bound: an instant (RFC 3339, or a local
// date and time without offset read in loc) or a time of day HH:MM, given
// back as minutes after midnight.
func parseWhen(name, s string, loc *time.Location) (time.Time, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, 0, nil
	}
	if minutes, ok := parseClock(s); ok {
		return time.Time{}, minutes, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, 0, nil
	}
	// An unescaped "+01:00" offset arrives as " 01:00".
	if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1)); err == nil {
		return t, 0, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, 0, nil
		}
	}
	return time.Time{}, 0, invalid("%s: expected a time of day HH:MM or an RFC 3339 time such as 2026-12-01T10:05:00-08:00, got %q", name, s)
}

// parseClock reads H:MM or HH:MM, 00:00 to 24:00, as minutes after midnight.
func parseClock(s string) (int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}
