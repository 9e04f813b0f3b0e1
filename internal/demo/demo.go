// Package demo generates a deterministic, re:Invent-scale demo conference:
// five Las Vegas venues, 180+ rooms, 2,400 sittings over four days, keynotes
// with overflow rooms, meals and an expo hall. The same Options always give
// the same conference, byte for byte.
package demo

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
)

const (
	// ConferenceID is the id of the generated conference.
	ConferenceID = "demo"
	// ConferenceName is the invented name of the demo event.
	ConferenceName = "Skyforge Summit"
	// TimeZone is the demo's IANA zone.
	TimeZone = "America/Los_Angeles"
	// NumDays is the number of conference days, Monday to Thursday.
	NumDays = 4

	// baseSittings is the number of non-keynote sittings at Scale 1.
	baseSittings = 2400
	// pcgStream is the fixed second PCG word; the seed is the first.
	pcgStream = 0x5eed_c0de_ca7a_1095
	maxScale  = 100

	dayStart = 8 * 60     // first sitting start, minutes after midnight
	dayEnd   = 19*60 + 30 // every ordinary sitting ends by then
	// turnover is the gap left in a room between two sittings.
	turnover = 30
)

// Options choose the demo conference to generate.
type Options struct {
	Seed  int64     // default 1
	Start time.Time // the first day (a Monday) as a civil date; zero = the Monday after Now
	Now   time.Time // used only when Start is zero
	// Scale 1 (default) is the normal demo; n multiplies the session rooms and
	// the sittings by n (10 gives about 24,000 sittings, for benchmarks).
	Scale int
}

// NextMonday returns midnight, in loc, of the Monday strictly after now's
// date in loc: the first day of a demo generated at now. A nil loc means
// now's own location.
func NextMonday(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = now.Location()
	}
	n := now.In(loc)
	ahead := (int(time.Monday) - int(n.Weekday()) + 7) % 7
	if ahead == 0 {
		ahead = 7
	}
	y, m, d := n.Date()
	return time.Date(y, m, d+ahead, 0, 0, 0, 0, loc)
}

// Generate builds the demo conference. It fails only for bad Options (a
// Start that is not a Monday, neither Start nor Now, a negative Scale) or a
// missing time zone database.
func Generate(opt Options) (*conference.Conference, error) {
	seed := opt.Seed
	if seed == 0 {
		seed = 1
	}
	scale := opt.Scale
	if scale == 0 {
		scale = 1
	}
	if scale < 0 || scale > maxScale {
		return nil, fmt.Errorf("demo: scale must be between 1 and %d, got %d", maxScale, opt.Scale)
	}
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: time zone %s: %w", TimeZone, err)
	}
	var first time.Time
	switch {
	case !opt.Start.IsZero():
		y, m, d := opt.Start.Date()
		first = time.Date(y, m, d, 0, 0, 0, 0, loc)
		if first.Weekday() != time.Monday {
			return nil, fmt.Errorf("demo: the start date %s is a %s; the demo runs Monday to Thursday, so give a Monday",
				first.Format(time.DateOnly), first.Weekday())
		}
	case !opt.Now.IsZero():
		first = NextMonday(opt.Now, loc)
	default:
		return nil, errors.New("demo: give a start date (a Monday) or the current time")
	}

	pack, err := stripPack()
	if err != nil {
		return nil, err
	}
	vs, err := demoVenues(pack)
	if err != nil {
		return nil, err
	}
	g := &generator{
		rng:    rand.New(rand.NewPCG(uint64(seed), pcgStream)),
		loc:    loc,
		first:  first,
		rooms:  buildRooms(scale),
		titles: map[string]bool{},
	}
	c, err := g.build(scale*baseSittings, vs)
	if err != nil {
		return nil, err
	}
	res, err := pack.Apply(c)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	c.Travel = res.Model
	return c, nil
}

type generator struct {
	rng   *rand.Rand
	loc   *time.Location
	first time.Time // midnight of the first day
	rooms []campusRoom

	titles      map[string]bool // titles already used, kept unique while possible
	speakerPerm []int           // a shuffled pool of first×last name pairs
	nextSpeaker int
}

// content is one session's content, given by one or more sittings.
type content struct {
	typ      *sessionType
	level    int
	topic    *topic
	topics   []string
	title    string
	abstract string
	speakers []conference.Speaker
	sittings []placement
	code     string
}

// placement is where and when one sitting happens.
type placement struct {
	room  int // index in generator.rooms
	day   int
	start int // minutes after midnight
}

func (g *generator) build(sittings int, vs []conference.Venue) (*conference.Conference, error) {
	g.speakerPerm = g.rng.Perm(len(firstNames) * len(lastNames))

	contents := g.contents(sittings)
	if err := g.schedule(contents); err != nil {
		return nil, err
	}
	g.assignCodes(contents)

	c := &conference.Conference{
		Format:   conference.FormatVersion,
		ID:       ConferenceID,
		Name:     ConferenceName,
		TimeZone: TimeZone,
		Venues:   vs,
		Rooms:    make([]conference.Room, len(g.rooms)),
		Sessions: make([]conference.Session, 0, sittings+len(keynotes)),
	}
	for d := range NumDays {
		c.Days = append(c.Days, g.at(d, 0).Format(time.DateOnly))
	}
	for i, r := range g.rooms {
		c.Rooms[i] = r.room
	}
	unsorted := make([]conference.Session, 0, cap(c.Sessions))
	for _, ct := range contents {
		unsorted = append(unsorted, g.sittings(ct)...)
	}
	unsorted = append(unsorted, g.keynotes()...)
	// Order by start, then room (a total order: no room is double-booked);
	// sorting indices avoids moving the large Session values around.
	order := make([]int, len(unsorted))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		sa, sb := &unsorted[a], &unsorted[b]
		return cmp.Or(sa.Start.Compare(sb.Start), strings.Compare(sa.RoomID, sb.RoomID))
	})
	for _, i := range order {
		c.Sessions = append(c.Sessions, unsorted[i])
	}
	c.Meals = g.meals()
	c.Expo = g.expo()
	return c, nil
}

// at returns the instant of minutes after midnight on conference day d.
func (g *generator) at(day, minutes int) time.Time {
	y, m, d := g.first.Date()
	return time.Date(y, m, d+day, minutes/60, minutes%60, 0, 0, g.loc)
}

// contents creates the contents so that the sittings of each type match its
// percentage exactly; about a third of the contents get one or two repeats.
func (g *generator) contents(total int) []*content {
	quotas := largestRemainder(total)
	var out []*content
	for i := range sessionTypes {
		t := &sessionTypes[i]
		for left := quotas[i]; left > 0; {
			n := 1
			if g.rng.IntN(3) == 0 {
				n = 2
				if g.rng.IntN(10) < 3 {
					n = 3
				}
			}
			n = min(n, left)
			left -= n
			ct := g.content(t)
			ct.sittings = make([]placement, n)
			out = append(out, ct)
		}
	}
	// Shuffle so that codes and scheduling order do not follow the type order.
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// largestRemainder splits total over sessionTypes by percent, summing exactly.
func largestRemainder(total int) []int {
	q := make([]int, len(sessionTypes))
	rem := make([]int, len(sessionTypes))
	sum := 0
	for i, t := range sessionTypes {
		q[i] = total * t.percent / 100
		rem[i] = total * t.percent % 100
		sum += q[i]
	}
	for sum < total {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		q[best]++
		rem[best] = -1
		sum++
	}
	return q
}

// schedule places every sitting in a free slot of a room of a suitable kind.
// Each room has a fixed pattern of slots per day (with a turnover gap), so
// no room can hold two sittings at once. The sittings of one content go on
// different days, and repeats prefer another venue.
func (g *generator) schedule(contents []*content) error {
	nv := len(venueIDs)
	buckets := make([][]placement, numSchedulable*NumDays*nv)
	bucket := func(k roomKind, day, venue int) *[]placement {
		return &buckets[(int(k)*NumDays+day)*nv+venue]
	}
	perKind := make([]int, numSchedulable) // to stagger the slot patterns of rooms of one kind
	for ri, r := range g.rooms {
		if int(r.kind) >= numSchedulable {
			continue
		}
		starts := slotStarts(r.kind, perKind[r.kind])
		perKind[r.kind]++
		for day := range NumDays {
			b := bucket(r.kind, day, r.venue)
			for _, s := range starts {
				*b = append(*b, placement{room: ri, day: day, start: s})
			}
		}
	}

	// Most constrained first: contents with the most sittings.
	order := slices.Clone(contents)
	slices.SortStableFunc(order, func(a, b *content) int { return len(b.sittings) - len(a.sittings) })

	days := make([]int, NumDays)
	for _, ct := range order {
		var usedDays [NumDays]bool
		var usedVenues [8]bool // room for more than the five venues
		for k := range ct.sittings {
			kinds := g.kindOrder(ct.typ)
			for i := range days {
				days[i] = i
			}
			g.rng.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
			preferNewVenue := k > 0 && g.rng.IntN(10) < 7
			placed := false
		search:
			for _, newVenue := range []bool{preferNewVenue, false} {
				for _, kind := range kinds {
					for _, day := range days {
						if usedDays[day] {
							continue
						}
						total := 0
						for v := range nv {
							if !newVenue || !usedVenues[v] {
								total += len(*bucket(kind, day, v))
							}
						}
						if total == 0 {
							continue
						}
						pick := g.rng.IntN(total)
						for v := range nv {
							if newVenue && usedVenues[v] {
								continue
							}
							b := bucket(kind, day, v)
							if pick >= len(*b) {
								pick -= len(*b)
								continue
							}
							ct.sittings[k] = (*b)[pick]
							last := len(*b) - 1
							(*b)[pick] = (*b)[last]
							*b = (*b)[:last]
							usedDays[day] = true
							usedVenues[v] = true
							placed = true
							break search
						}
					}
				}
			}
			if !placed {
				return fmt.Errorf("demo: no free room for a %s", ct.typ.name)
			}
		}
		slices.SortFunc(ct.sittings, func(a, b placement) int {
			return cmp.Or(a.day-b.day, a.start-b.start, a.room-b.room)
		})
	}
	return nil
}

// kindOrder returns the room kinds to try for a type, the first drawn by weight.
func (g *generator) kindOrder(t *sessionType) []roomKind {
	if len(t.kinds) == 1 {
		return t.kinds
	}
	r := g.rng.IntN(100)
	for i, w := range t.weights {
		if r < w {
			if i == 0 {
				return t.kinds
			}
			out := []roomKind{t.kinds[i]}
			for j, k := range t.kinds {
				if j != i {
					out = append(out, k)
				}
			}
			return out
		}
		r -= w
	}
	return t.kinds
}

// slotStarts is the daily slot pattern of the n-th room of a kind. Patterns
// are staggered by 30 minutes from room to room so that starts spread over
// every half hour of the day, and each leaves the turnover gap.
func slotStarts(k roomKind, n int) []int {
	length, step, offsets := 60, 60+turnover, 3
	switch k {
	case kindWorkshop:
		length, step, offsets = 120, 120+turnover, 4
	case kindTheater:
		length, step, offsets = 20, 30, 1 // lightning talks: 10 minutes to swap speakers
	}
	var out []int
	for t := dayStart + (n%offsets)*30; t+length <= dayEnd; t += step {
		out = append(out, t)
	}
	return out
}

// assignCodes gives each content a code: topic prefix, level digit and a
// two-digit (or longer) sequence number, e.g. "ARC301".
func (g *generator) assignCodes(contents []*content) {
	seq := map[string]int{}
	for _, ct := range contents {
		key := fmt.Sprintf("%s%d", ct.topic.prefix, ct.level/100)
		seq[key]++
		ct.code = fmt.Sprintf("%s%02d", key, seq[key])
	}
}

// sittings turns a placed content into its sessions: the earliest sitting
// gets the plain code, the repeats "-R1", "-R2".
func (g *generator) sittings(ct *content) []conference.Session {
	out := make([]conference.Session, len(ct.sittings))
	group := ""
	if len(ct.sittings) > 1 {
		group = strings.ToLower(ct.code)
	}
	for k, p := range ct.sittings {
		code := ct.code
		if k > 0 {
			code = fmt.Sprintf("%s-R%d", ct.code, k)
		}
		start := g.at(p.day, p.start)
		out[k] = conference.Session{
			ID:          strings.ToLower(code),
			Code:        code,
			Title:       ct.title,
			Abstract:    ct.abstract,
			Type:        ct.typ.name,
			Level:       ct.level,
			Topics:      slices.Clone(ct.topics),
			Speakers:    slices.Clone(ct.speakers),
			RoomID:      g.rooms[p.room].room.ID,
			Start:       start,
			End:         start.Add(time.Duration(ct.typ.minutes) * time.Minute),
			Reservable:  ct.typ.reservable,
			Recorded:    ct.typ.recorded,
			RepeatGroup: group,
		}
	}
	return out
}

// keynote is one of the fixed keynotes, at re:Invent 2023's times.
type keynote struct {
	day             int
	start, end      int // minutes after midnight
	title, abstract string
	speaker         string
	topics          []string
}

var keynotes = []keynote{
	{0, 19*60 + 30, 21 * 60, "Monday night live: the infrastructure under the cloud",
		"An evening tour of the chips, networks and data centers that everything else runs on. Hear how the infrastructure team balances performance, cost and energy, and what is coming next.",
		"Helena Brandt", []string{"Architecture", "Networking", "Sustainability"}},
	{1, 8 * 60, 10*60 + 30, "Opening keynote: building what comes next",
		"The opening keynote of Skyforge Summit sets the direction for the year ahead. Expect launches across compute, storage, data and AI, and the customers already putting them to work.",
		"Marcus Okonkwo", []string{"Architecture", "AI/ML"}},
	{2, 8*60 + 30, 10*60 + 30, "Data and AI keynote: from experiments to production",
		"How organizations turn their data into AI applications they can trust. Customers share what worked, what did not, and what it cost.",
		"Sunita Raghavan", []string{"AI/ML", "Analytics", "Databases"}},
	{2, 15 * 60, 16*60 + 30, "Partner keynote: building together",
		"Partners and customers show how they build, migrate and sell together on Skyforge Cloud, with stories from every industry.",
		"Diego Marchetti", []string{"Business Applications", "Migration & Modernization"}},
	{3, 8*60 + 30, 10*60 + 30, "Developer keynote: the frugal architect",
		"A keynote for builders about designing systems that stay affordable as they grow. Cost is a requirement, unobserved systems lead to unknown costs, and cost-aware architectures build in their own controls.",
		"Ingrid Solberg", []string{"Architecture", "Developer Tools", "Cloud Operations"}},
}

// keynotes returns the keynote sessions in the keynote hall, each shown live
// in every overflow room (rooms that hold no other sessions).
func (g *generator) keynotes() []conference.Session {
	var overflow []string
	for _, r := range g.rooms {
		if r.kind == kindOverflow {
			overflow = append(overflow, r.room.ID)
		}
	}
	out := make([]conference.Session, len(keynotes))
	for i, k := range keynotes {
		code := fmt.Sprintf("KEY%03d", i+1)
		out[i] = conference.Session{
			ID:              strings.ToLower(code),
			Code:            code,
			Title:           k.title,
			Abstract:        k.abstract,
			Type:            conference.TypeKeynote,
			Topics:          slices.Clone(k.topics),
			Speakers:        []conference.Speaker{{Name: k.speaker, Company: hostCompany}},
			RoomID:          KeynoteHallID,
			Start:           g.at(k.day, k.start),
			End:             g.at(k.day, k.end),
			Reservable:      false,
			Recorded:        true,
			OverflowRoomIDs: slices.Clone(overflow),
		}
	}
	return out
}

// meals: breakfast 07:00–09:00 and lunch 11:00–13:00 at every venue, every day.
func (g *generator) meals() []conference.Meal {
	var out []conference.Meal
	for d := range NumDays {
		for _, id := range venueIDs {
			out = append(out,
				conference.Meal{VenueID: id, Kind: "breakfast", Start: g.at(d, 7*60), End: g.at(d, 9*60)},
				conference.Meal{VenueID: id, Kind: "lunch", Start: g.at(d, 11*60), End: g.at(d, 13*60)},
			)
		}
	}
	return out
}

// expo: the hall opens Monday evening for the welcome reception, then daily.
func (g *generator) expo() *conference.Expo {
	hours := [NumDays][2]int{{16 * 60, 19 * 60}, {10 * 60, 18 * 60}, {10 * 60, 18 * 60}, {10 * 60, 16 * 60}}
	e := &conference.Expo{VenueID: VenueVenetian, RoomID: ExpoHallID}
	for d, h := range hours {
		e.Hours = append(e.Hours, conference.Interval{Start: g.at(d, h[0]), End: g.at(d, h[1])})
	}
	return e
}
