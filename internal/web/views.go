package web

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/catalog"
	"venuehop/internal/conference"
)

// layoutView is what the layout template renders around every page.
type layoutView struct {
	Title          string
	ConferenceName string
	Nav            string // the current nav entry: "catalog", "venues" or ""
	Main           any

	// User is the signed-in user (nil: anonymous) and CSRF the token for
	// the header's sign-out form; render fills both (account.go).
	User *account.User
	CSRF string
	// Notices is whether the header shows the notices link and Unread its
	// badge's count (notices.go).
	Notices bool
	Unread  int
}

// sessionItem is one session as the catalog list and the session page show it.
type sessionItem struct {
	ID, Code, Title, Type string
	LevelLabel            string // "300 Advanced"; empty when unknown
	When                  string // "Tue 2 Dec, 10:00–11:00 PST"
	StartISO              string
	Venue, RoomLevel      string
	Room                  string
	Scheduled             bool
	Recorded, Reservable  bool
	Cancelled             bool
	Ended                 bool // it is over (conference clock)
	Closed                bool // its reservations closed: it is walk-up now
	// Hop is the way from the previous session in a time-ordered list
	// (nil when there is none in view).
	Hop *travelNote
	// Star is the favourite control (account.go); nil shows none.
	Star *starView
	// Seats is the seat count and buttons (seats.go); nil shows none.
	Seats *seatBox
}

// levelNames are re:Invent's names for its session levels.
var levelNames = map[int]string{
	100: "Foundational",
	200: "Intermediate",
	300: "Advanced",
	400: "Expert",
	500: "Distinguished",
}

func levelLabel(level int) string {
	if level == 0 {
		return ""
	}
	if name, ok := levelNames[level]; ok {
		return strconv.Itoa(level) + " " + name
	}
	return strconv.Itoa(level)
}

// timeRange formats a sitting in the conference zone, the zone named once at
// the end: "Tue 2 Dec, 10:00–11:00 PST".
func timeRange(snap *conference.Snapshot, start, end time.Time) string {
	if start.IsZero() {
		return "Not scheduled"
	}
	s, e := snap.Local(start), snap.Local(end)
	out := s.Format("Mon 2 Jan, 15:04")
	if end.IsZero() {
		return out + " " + s.Format("MST")
	}
	if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
		return out + " – " + e.Format("Mon 2 Jan, 15:04 MST")
	}
	return out + "–" + e.Format("15:04 MST")
}

func newSessionItem(snap *conference.Snapshot, se *conference.Session) sessionItem {
	it := sessionItem{
		ID:         se.ID,
		Code:       se.Code,
		Title:      se.Title,
		Type:       se.Type,
		LevelLabel: levelLabel(se.Level),
		When:       timeRange(snap, se.Start, se.End),
		Scheduled:  se.Scheduled(),
		Recorded:   se.Recorded,
		Reservable: se.Reservable,
		Cancelled:  se.Cancelled,
	}
	if !se.Start.IsZero() {
		it.StartISO = snap.Local(se.Start).Format(time.RFC3339)
	}
	if room, ok := snap.Room(se.RoomID); ok {
		it.Room = room.Name
		it.RoomLevel = room.Level
		if v, ok := snap.Venue(room.VenueID); ok {
			it.Venue = v.Name
		}
	}
	return it
}

// dayLabel turns a conference day (YYYY-MM-DD) into "Mon 1 Dec".
func dayLabel(snap *conference.Snapshot, day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, snap.Loc)
	if err != nil {
		return day
	}
	return t.Format("Mon 2 Jan")
}

// vocabulary lists every value each catalog filter can take in one snapshot,
// in display order, so the filter form keeps the same checkboxes whatever
// the counts are (the page script updates counts in place).
type vocabulary struct {
	ix     *catalog.Index
	groups []vocabGroup
}

type vocabGroup struct {
	Name   string // the query parameter
	Legend string
	Values []vocabValue
}

type vocabValue struct{ Value, Label string }

func buildVocabulary(ix *catalog.Index) *vocabulary {
	snap := ix.Snapshot()
	c := snap.Conf
	typeCount := map[string]int{}
	levels := map[int]bool{}
	topics := map[string]bool{}
	for i := range c.Sessions {
		se := &c.Sessions[i]
		typeCount[se.Type]++
		if se.Level != 0 {
			levels[se.Level] = true
		}
		for _, t := range se.Topics {
			topics[t] = true
		}
	}

	types := make([]string, 0, len(typeCount))
	for t := range typeCount {
		types = append(types, t)
	}
	// The most common types first: that is what people look for.
	slices.SortFunc(types, func(a, b string) int {
		return cmp.Or(typeCount[b]-typeCount[a], strings.Compare(a, b))
	})
	var g [5]vocabGroup
	g[0] = vocabGroup{Name: "type", Legend: "Type"}
	for _, t := range types {
		g[0].Values = append(g[0].Values, vocabValue{t, t})
	}
	g[1] = vocabGroup{Name: "level", Legend: "Level"}
	for _, l := range slices.Sorted(maps.Keys(levels)) {
		g[1].Values = append(g[1].Values, vocabValue{strconv.Itoa(l), levelLabel(l)})
	}
	g[2] = vocabGroup{Name: "topic", Legend: "Topic"}
	for _, t := range slices.Sorted(maps.Keys(topics)) {
		g[2].Values = append(g[2].Values, vocabValue{t, t})
	}
	g[3] = vocabGroup{Name: "venue", Legend: "Venue"}
	for _, v := range c.Venues {
		g[3].Values = append(g[3].Values, vocabValue{v.ID, v.Name})
	}
	g[4] = vocabGroup{Name: "day", Legend: "Day"}
	for _, d := range c.Days {
		g[4].Values = append(g[4].Values, vocabValue{d, dayLabel(snap, d)})
	}
	return &vocabulary{ix: ix, groups: g[:]}
}

// catalogView is the catalog page, its partial included.
type catalogView struct {
	Q                    string
	Sort                 string
	Reservable, Recorded string // "", "true" or "false"
	Groups               []facetGroup
	ActiveFilters        int
	Results              []sessionItem
	Total                int
	Status               string // the sentence read out by screen readers
	MoreURL              string
	FirstPageURL         string     // set on later pages
	Flash                *flashView // a seat form's answer about a session not in view
	Error                string     // a bad query; the page is then a 400
	// During the conference: the list opens "from now" (FromNow says from
	// when, "" when the query says when itself or ended ones are shown);
	// AtValue is the time of day control, Ended the "show ended" toggle.
	Live    bool
	FromNow string
	AtValue string
	Ended   bool
	NowISO  string // the conference clock, for the search on the device (offline.js)
}

type facetGroup struct {
	Name, Legend string
	Options      []facetOption
}

type facetOption struct {
	ID           string // the checkbox id; its count has ID+"-n"
	Value, Label string
	Count        int
	Counted      bool // false when there are no counts (a bad query)
	Checked      bool
}

// filterParams are the catalog filters that take several values; the API
// wants them comma-separated, the form sends them as repeated parameters.
var filterParams = []string{"type", "level", "topic", "venue", "day"}

// scalarParams are the other query parameters the catalog passes on.
var scalarParams = []string{"q", "from", "to", "endAfter", "reservable", "recorded", "sort", "limit", "cursor", "ended", "at"}

// fromNow opens the catalog during the conference "from now": the
// sessions still running or to come at the conference clock's time (or at
// the time of day in at, today), unless the query says when itself (from,
// to, day, endAfter) or asks for the ended ones too (ended=1). The instant
// goes into vals as endAfter, so later pages keep it.
func fromNow(snap *conference.Snapshot, raw, vals url.Values, now time.Time, q *catalog.Query, v *catalogView) {
	today := snap.Day(now)
	if !slices.Contains(snap.Conf.Days, today) {
		return
	}
	v.Live, v.Ended = true, raw.Get("ended") == "1"
	local := snap.Local(now)
	v.AtValue = local.Format("15:04")
	v.NowISO = local.Format(time.RFC3339)
	if !q.EndAfter.IsZero() {
		v.FromNow = snap.Local(q.EndAfter).Format("15:04")
		v.AtValue = v.FromNow
		return
	}
	if v.Ended || vals.Get("from") != "" || vals.Get("to") != "" || vals.Get("day") != "" {
		return
	}
	at := now.Truncate(time.Minute) // as the next page's URL will say it
	if t, err := time.ParseInLocation("2006-01-02 15:04", today+" "+raw.Get("at"), snap.Loc); err == nil {
		at, v.AtValue = t, raw.Get("at")
	}
	q.EndAfter = at
	vals.Set("endAfter", at.Format(time.RFC3339))
	v.FromNow = snap.Local(at).Format("15:04")
}

// catalogValues normalises a page's query string into the API's form:
// empty values dropped (an unchosen select sends "x="), repeated filter
// values joined with commas, unknown parameters (partial=1) left out.
func catalogValues(in url.Values) url.Values {
	out := url.Values{}
	for _, k := range filterParams {
		var vals []string
		for _, v := range in[k] {
			for part := range strings.SplitSeq(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					vals = append(vals, part)
				}
			}
		}
		if len(vals) > 0 {
			out.Set(k, strings.Join(vals, ","))
		}
	}
	for _, k := range scalarParams {
		if v := strings.TrimSpace(in.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// selected returns the values chosen for a filter parameter.
func selected(vals url.Values, name string) []string {
	v := vals.Get(name)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func facetGroups(vocab *vocabulary, vals url.Values, facets map[string]map[string]int) (groups []facetGroup, active int) {
	for _, vg := range vocab.groups {
		chosen := selected(vals, vg.Name)
		active += len(chosen)
		fg := facetGroup{Name: vg.Name, Legend: vg.Legend}
		counts := facets[vg.Name]
		for i, v := range vg.Values {
			n, counted := counts[v.Value], facets != nil
			fg.Options = append(fg.Options, facetOption{
				ID:      fmt.Sprintf("f-%s-%d", vg.Name, i),
				Value:   v.Value,
				Label:   v.Label,
				Count:   n,
				Counted: counted,
				Checked: slices.ContainsFunc(chosen, func(c string) bool { return strings.EqualFold(c, v.Value) }),
			})
		}
		groups = append(groups, fg)
	}
	return groups, active
}

func resultStatus(total int) string {
	switch total {
	case 0:
		return "No sessions match"
	case 1:
		return "1 session matches"
	}
	return fmt.Sprintf("%d sessions match", total)
}

// sessionView is the session page.
type sessionView struct {
	sessionItem
	Abstract           string
	Topics             []string
	Speakers           []conference.Speaker
	Minutes            int
	RoomCapacity       int
	ReservableCapacity int
	RecordingURL       string
	VenueID            string
	Sittings           []sittingItem // every sitting of the content, this one included
	MapURL             string        // the sittings (or this session) on the map
	Overflow           []roomItem
	Flash              *flashView // a seat form's answer about another session
	StreamURL          string
	// Watch is where a keynote can be seen, by travel time from From
	// (keynote.go); Places are the choices of From.
	Watch  *keynoteRooms
	From   string
	Places []venueOption
}

type sittingItem struct {
	ID, When, Where string
	Current         bool
	Cancelled       bool
}

type roomItem struct {
	Venue, Level, Name string
	Capacity           int
}

func newSessionView(snap *conference.Snapshot, se *conference.Session) sessionView {
	v := sessionView{
		sessionItem:        newSessionItem(snap, se),
		Abstract:           se.Abstract,
		Topics:             se.Topics,
		Speakers:           se.Speakers,
		ReservableCapacity: snap.ReservableCapacity(se),
		RecordingURL:       se.SafeRecordingURL(),
		StreamURL:          se.SafeStreamURL(),
	}
	if se.Scheduled() {
		v.Minutes = se.Minutes()
	}
	if room, ok := snap.Room(se.RoomID); ok {
		v.RoomCapacity = room.Capacity
		v.VenueID = room.VenueID
	}
	for _, s := range snap.Sittings(se.Group()) {
		it := newSessionItem(snap, s)
		v.Sittings = append(v.Sittings, sittingItem{
			ID:        s.ID,
			When:      it.When,
			Where:     joinNonEmpty(", ", it.Venue, it.RoomLevel, it.Room),
			Current:   s.ID == se.ID,
			Cancelled: s.Cancelled,
		})
	}
	for _, id := range se.OverflowRoomIDs {
		room, ok := snap.Room(id)
		if !ok {
			continue
		}
		ri := roomItem{Level: room.Level, Name: room.Name, Capacity: room.Capacity}
		if venue, ok := snap.Venue(room.VenueID); ok {
			ri.Venue = venue.Name
		}
		v.Overflow = append(v.Overflow, ri)
	}
	return v
}

func joinNonEmpty(sep string, parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), sep)
}

// venuesView is the venues page.
type venuesView struct {
	Venues []venueItem
}

type venueItem struct {
	ID, Name, Address string
	Lat, Lon          float64
	Rooms             []roomItem
	Seats             int
}

func newVenuesView(snap *conference.Snapshot) venuesView {
	var out venuesView
	byVenue := map[string][]roomItem{}
	for _, r := range snap.Conf.Rooms {
		byVenue[r.VenueID] = append(byVenue[r.VenueID], roomItem{Level: r.Level, Name: r.Name, Capacity: r.Capacity})
	}
	for _, v := range snap.Conf.Venues {
		rooms := byVenue[v.ID]
		slices.SortFunc(rooms, func(a, b roomItem) int {
			return cmp.Or(naturalCompare(a.Level, b.Level), naturalCompare(a.Name, b.Name))
		})
		seats := 0
		for _, r := range rooms {
			seats += r.Capacity
		}
		out.Venues = append(out.Venues, venueItem{
			ID: v.ID, Name: v.Name, Address: v.Address, Lat: v.Lat, Lon: v.Lon,
			Rooms: rooms, Seats: seats,
		})
	}
	return out
}

// naturalCompare orders "Level 2" before "Level 10".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da > 0 && db > 0 {
			na, _ := strconv.Atoi(a[:da])
			nb, _ := strconv.Atoi(b[:db])
			if na != nb {
				return cmp.Compare(na, nb)
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// errorView is the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
}
