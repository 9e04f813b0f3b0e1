package formats

import (
	"fmt"
	"time"
)

// A local date and time without an offset names one instant, except
// around a daylight saving change: when clocks go back it happens twice,
// when they go forward never. Go's time.Date picks one of the two
// silently; schedules must not (a session shown an hour early), so the
// readers resolve every offset-less time here.

// wallKind says how many instants a local time names.
type wallKind int

const (
	wallUnique    wallKind = iota
	wallAmbiguous          // it happens twice: earlier and later are both it
	wallGap                // it never happens: earlier and later bracket the gap
)

// resolveWall returns the instants a local time can mean in loc: for a
// unique time both are the same; otherwise earlier < later.
func resolveWall(loc *time.Location, y int, mo time.Month, d, h, mi, sec int) (earlier, later time.Time, kind wallKind) {
	t := time.Date(y, mo, d, h, mi, sec, 0, loc)
	naive := time.Date(y, mo, d, h, mi, sec, 0, time.UTC)
	// The offsets a day before and after: a change in between is the only
	// way the time can be in doubt (zones do not change twice in two days).
	_, before := naive.Add(-24 * time.Hour).In(loc).Zone()
	_, after := naive.Add(24 * time.Hour).In(loc).Zone()
	if before == after {
		return t, t, wallUnique
	}
	a := naive.Add(-time.Duration(before) * time.Second).In(loc)
	b := naive.Add(-time.Duration(after) * time.Second).In(loc)
	if a.After(b) {
		a, b = b, a
	}
	is := func(c time.Time) bool {
		l := c.In(loc)
		return l.Year() == y && l.Month() == mo && l.Day() == d && l.Hour() == h && l.Minute() == mi && l.Second() == sec
	}
	switch okA, okB := is(a), is(b); {
	case okA && okB:
		return a, b, wallAmbiguous
	case okA:
		return a, a, wallUnique
	case okB:
		return b, b, wallUnique
	}
	return a, b, wallGap
}

// wallTime is the instant of a local date and a time of day (minutes, may
// pass midnight) in the conference zone, as field of the element at: an
// ambiguous or nonexistent time is an error unless the DST option
// chooses, and then a warning names the choice.
func (b *builder) wallTime(day time.Time, minutes int, at, field string) (time.Time, bool) {
	return b.wallInstant(time.Date(day.Year(), day.Month(), day.Day(), 0, minutes, 0, 0, time.UTC), at, field)
}

// wallInstant is wallTime for a parsed offset-less timestamp (its clock
// read as UTC), seconds kept.
func (b *builder) wallInstant(t time.Time, at, field string) (time.Time, bool) {
	out, warn, err := pickWall(b.loc, b.opt.DST, t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	if err != "" {
		b.errAt(at, "%s: %s", field, err)
		return time.Time{}, false
	}
	if warn != "" {
		b.warnAt(at, "%s: %s", field, warn)
	}
	return out, true
}

// pickWall resolves a local time under the DST option; it returns the
// instant and a warning, or an error message.
func pickWall(loc *time.Location, dst string, y int, mo time.Month, d, h, mi, sec int) (t time.Time, warning, errMsg string) {
	// Normalise the date (a day past midnight) before judging the clock.
	n := time.Date(y, mo, d, h, mi, sec, 0, time.UTC)
	earlier, later, kind := resolveWall(loc, n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), n.Second())
	if kind == wallUnique {
		return earlier, "", ""
	}
	wall := n.Format("2006-01-02 15:04")
	if n.Second() != 0 {
		wall = n.Format("2006-01-02 15:04:05")
	}
	what := "happens twice in " + loc.String() + " (clocks go back)"
	if kind == wallGap {
		what = "does not exist in " + loc.String() + " (clocks go forward)"
	}
	show := func(t time.Time) string {
		l := t.In(loc)
		return fmt.Sprintf("%s %s (UTC%s)", l.Format("15:04"), zoneAbbrev(l), l.Format("-07:00"))
	}
	switch dst {
	case DSTEarlier:
		return earlier, fmt.Sprintf("%s %s: taken as the earlier instant, %s, as --dst earlier says", wall, what, show(earlier)), ""
	case DSTLater:
		return later, fmt.Sprintf("%s %s: taken as the later instant, %s, as --dst later says", wall, what, show(later)), ""
	}
	return time.Time{}, "", fmt.Sprintf("%s %s: write the time with its UTC offset, or choose with --dst earlier (%s) or --dst later (%s)",
		wall, what, show(earlier), show(later))
}

func zoneAbbrev(t time.Time) string {
	name, _ := t.Zone()
	return name
}
