package travel

import (
	"math"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// rampMinutes is how long traffic takes to build up to a peak and to ease
// off it again.
const rampMinutes = 15

// addLines folds every transit line into entrance-to-entrance edges: for
// each pair of stops and each pair of entrances near them, walk to the stop,
// wait for the next departure, ride, walk to the entrance.
func (m *Model) addLines(snap *conference.Snapshot, src *conference.TravelModel, entIdx map[string]int32) error {
	stopIdx := map[string]int32{}
	accesses := make([][]conference.StopAccess, 0, len(src.Stops))
	for _, s := range src.Stops {
		stopIdx[s.ID] = int32(len(m.stops))
		m.stops = append(m.stops, stop{id: s.ID, lonLat: [2]float64{s.Lon, s.Lat}})
		accesses = append(accesses, s.Access)
	}
	rushes := m.keynoteEnds(snap)
	groups := []struct {
		mode  string
		lines []conference.TransitLine
	}{{ModeShuttle, src.Shuttles}, {ModeMonorail, src.Monorail}}
	for _, g := range groups {
		for _, l := range g.lines {
			if l.HeadwayMinutes <= 0 || len(l.Stops) < 2 {
				continue
			}
			li := int32(len(m.lines))
			ln := line{id: l.ID, mode: g.mode, nextDep: make([][]int16, len(m.days))}
			factors := make([][]float64, len(m.days))
			for di := range m.days {
				ln.nextDep[di] = m.departures(di, l)
				factors[di] = m.factors(di, l.Profile, rushes[di])
			}
			m.lines = append(m.lines, ln)

			pos := make([]int32, len(l.Stops)) // stop index of each position
			cum := make([]int, len(l.Stops))   // off-peak minutes from the first stop
			for i, ls := range l.Stops {
				s, ok := stopIdx[ls.StopID]
				if !ok {
					return errcode.New(errcode.Invalid, "line %q: unknown stop %q", l.ID, ls.StopID)
				}
				pos[i] = s
				if i > 0 {
					cum[i] = cum[i-1] + ls.RideMinutes
				}
			}
			for i := range l.Stops {
				for j := range l.Stops {
					if i == j {
						continue
					}
					off := cum[j] - cum[i]
					if off < 0 {
						off = -off
					}
					ride := make([][]int16, len(m.days))
					for di := range m.days {
						ride[di] = rideMinutes(off, factors[di])
					}
					if i == 0 && j == len(l.Stops)-1 {
						m.lines[li].endToEnd = ride
					}
					path := m.ridePath(l, pos, i, j)
					rideMeters := int(math.Round(conference.PathMeters(path)))
					for _, a := range accesses[pos[i]] {
						for _, b := range accesses[pos[j]] {
							ea, okA := entIdx[a.EntranceID]
							eb, okB := entIdx[b.EntranceID]
							if !okA || !okB || m.ents[ea].venue == m.ents[eb].venue {
								continue
							}
							e := edge{
								from: ea, to: eb, isRide: true, synthetic: m.estimate,
								line: li, board: pos[i], alight: pos[j],
								accFrom: m.walk(int32(a.Minutes)), accTo: m.walk(int32(b.Minutes)),
								ride: ride, ridePath: path, rideMeters: rideMeters,
								accFromM: int(math.Round(conference.DistanceMeters(m.ents[ea].lonLat, m.stops[pos[i]].lonLat))),
								accToM:   int(math.Round(conference.DistanceMeters(m.stops[pos[j]].lonLat, m.ents[eb].lonLat))),

								accFromPath: [][2]float64{m.ents[ea].lonLat, m.stops[pos[i]].lonLat},
								accToPath:   [][2]float64{m.stops[pos[j]].lonLat, m.ents[eb].lonLat},
							}
							e.arr = make([][]int16, len(m.days))
							for di := range m.days {
								e.arr[di] = arrivals(ln.nextDep[di], ride[di], e.accFrom, e.accTo)
							}
							m.edges = append(m.edges, e)
						}
					}
				}
			}
		}
	}
	return nil
}

// arrivals is, for every minute at the boarding entrance, the arrival
// minute at the far entrance, or none when no vehicle leaves that day.
func arrivals(nextDep, ride []int16, accFrom, accTo int32) []int16 {
	out := make([]int16, len(nextDep))
	for t := range out {
		board := int32(t) + accFrom
		if board >= int32(len(nextDep)) || nextDep[board] == none {
			out[t] = none
			continue
		}
		dep := int32(nextDep[board])
		out[t] = int16(dep + int32(ride[dep]) + accTo)
	}
	return out
}

// rideMinutes applies the day's traffic factors to an off-peak ride and
// makes it FIFO: a ride may shorten by at most one minute per minute of
// later departure, so a later vehicle never overtakes an earlier one.
func rideMinutes(offPeak int, factors []float64) []int16 {
	out := make([]int16, len(factors))
	for t, f := range factors {
		r := int16(max(1, math.Round(float64(offPeak)*f)))
		if t > 0 && r < out[t-1]-1 {
			r = out[t-1] - 1
		}
		out[t] = r
	}
	return out
}

// departures lists, for every minute of a day, the next departure at or
// after it. Vehicles leave every stop every headway from the start of each
// service window until (not at) its end.
func (m *Model) departures(di int, l conference.TransitLine) []int16 {
	d := &m.days[di]
	leaves := make([]bool, d.length)
	for _, h := range WindowsOn(l, d.date) {
		s, okS := m.clockIndex(di, h.Start)
		e, okE := m.clockIndex(di, h.End)
		if !okS || !okE {
			continue
		}
		e = min(e, d.length)
		headway := int32(l.HeadwayMinutes)
		if h.HeadwayMinutes > 0 {
			headway = int32(h.HeadwayMinutes)
		}
		for t := s; t < e; t += headway {
			leaves[t] = true
		}
	}
	next := make([]int16, d.length)
	n := int16(none)
	for t := d.length - 1; t >= 0; t-- {
		if leaves[t] {
			n = int16(t)
		}
		next[t] = n
	}
	return next
}

// WindowsOn returns a line's service windows on a date (YYYY-MM-DD): those
// naming the day, else those naming none.
func WindowsOn(l conference.TransitLine, date string) []conference.ServiceHours {
	windows := slices.DeleteFunc(slices.Clone(l.Service), func(h conference.ServiceHours) bool { return h.Day != date })
	if len(windows) == 0 {
		windows = slices.DeleteFunc(slices.Clone(l.Service), func(h conference.ServiceHours) bool { return h.Day != "" })
	}
	slices.SortStableFunc(windows, func(a, b conference.ServiceHours) int { return strings.Compare(a.Start, b.Start) })
	return windows
}

// factors is the ride-time factor for every minute of a day: peaks ramp up
// and down over rampMinutes; after a keynote ends the rush factor holds for
// the rush's minutes. The strongest effect wins.
func (m *Model) factors(di int, p conference.RideProfile, keynoteEnds []int32) []float64 {
	d := &m.days[di]
	f := make([]float64, d.length)
	for t := range f {
		f[t] = 1
	}
	for _, pk := range p.Peaks {
		s, okS := m.clockIndex(di, pk.Start)
		e, okE := m.clockIndex(di, pk.End)
		if !okS || !okE || e <= s {
			continue
		}
		ramp := float64(max(1, min(rampMinutes, (e-s)/2)))
		for t := max(s, 0); t < min(e, d.length); t++ {
			w := math.Min(1, float64(min(t-s+1, e-t))/ramp)
			f[t] = strongest(f[t], 1+(pk.Factor-1)*w)
		}
	}
	if r := p.KeynoteRush; r != nil {
		minutes := int32(r.Minutes)
		if minutes <= 0 {
			minutes = conference.DefaultKeynoteRushMinutes
		}
		for _, end := range keynoteEnds {
			for t := max(end, 0); t < min(end+minutes, d.length); t++ {
				f[t] = strongest(f[t], r.Factor)
			}
		}
	}
	return f
}

// strongest keeps the factor furthest from "no effect".
func strongest(a, b float64) float64 {
	if math.Abs(b-1) > math.Abs(a-1) {
		return b
	}
	return a
}

// clockIndex turns "HH:MM" on a day into minutes after the day's midnight,
// following the wall clock on DST days.
func (m *Model) clockIndex(di int, clock string) (int32, bool) {
	c, ok := conference.ParseClock(clock)
	if !ok {
		return 0, false
	}
	t, err := conference.ClockOn(m.days[di].date, c, m.snap.Loc)
	if err != nil {
		return 0, false
	}
	return int32(t.Sub(m.Time(m.days[di].offset)) / time.Minute), true
}

// keynoteEnds lists, per day, the minutes after midnight at which keynotes
// end: everyone leaves at once and the road fills.
func (m *Model) keynoteEnds(snap *conference.Snapshot) [][]int32 {
	out := make([][]int32, len(m.days))
	for i := range snap.Conf.Sessions {
		s := &snap.Conf.Sessions[i]
		if !strings.EqualFold(s.Type, conference.TypeKeynote) || s.Cancelled || !s.Scheduled() {
			continue
		}
		at := m.Minute(s.End)
		if di := m.dayAt(at); di >= 0 {
			out[di] = append(out[di], at-m.days[di].offset)
		}
	}
	return out
}

// ridePath is the drawn path of a ride from stop position i to j: the
// line's own path for the whole line, else straight between stops.
func (m *Model) ridePath(l conference.TransitLine, pos []int32, i, j int) [][2]float64 {
	last := len(l.Stops) - 1
	if len(l.Path) >= 2 && ((i == 0 && j == last) || (i == last && j == 0)) {
		if i == 0 {
			return l.Path
		}
		return reversed(l.Path)
	}
	step := 1
	if j < i {
		step = -1
	}
	var path [][2]float64
	for k := i; ; k += step {
		path = append(path, m.stops[pos[k]].lonLat)
		if k == j {
			break
		}
	}
	return path
}

// Ride returns the next departure of a line from its first stop at or after
// departAt and the minutes of that ride to the last stop, with the traffic
// of its time of day; ok is false for an unknown line or when no vehicle
// leaves before the day's service ends.
func (m *Model) Ride(lineID string, departAt time.Time) (depart time.Time, minutes int, ok bool) {
	li := slices.IndexFunc(m.lines, func(l line) bool { return l.id == lineID })
	if li < 0 {
		return time.Time{}, 0, false
	}
	t := m.Minute(departAt)
	di := m.dayAt(t)
	if di < 0 {
		return time.Time{}, 0, false
	}
	d := &m.days[di]
	l := &m.lines[li]
	dep := l.nextDep[di][t-d.offset]
	if dep == none {
		return time.Time{}, 0, false
	}
	return m.Time(d.offset + int32(dep)), int(l.endToEnd[di][dep]), true
}

// Service is what a transit line offers over a span of time, from the
// compiled tables: the next departure from its first stop and, over the
// span, the expected wait of someone arriving at a random minute and the
// ride from the first stop to the last.
type Service struct {
	// Running is false when no vehicle leaves during the span.
	Running bool
	// Next is the first departure at or after the span's start, within the
	// day's service (zero when none is left that day); Wait the minutes
	// until it, NextRide its ride from the first stop to the last.
	Next     time.Time
	Wait     int
	NextRide int
	// ExpectedWait is the mean wait over the span's minutes from which a
	// vehicle still leaves that day (about half the headway).
	ExpectedWait int
	// Ride and MaxRide are the typical (median) and the longest ride of the
	// departures in the span: traffic makes them differ.
	Ride, MaxRide int
}

// ServiceDuring describes line lineID over [from, from+minutes); ok is
// false for an unknown line. Spans outside the conference days have no
// service.
func (m *Model) ServiceDuring(lineID string, from time.Time, minutes int) (Service, bool) {
	li := slices.IndexFunc(m.lines, func(l line) bool { return l.id == lineID })
	if li < 0 {
		return Service{}, false
	}
	l := &m.lines[li]
	start := m.Minute(from)
	var out Service
	if di := m.dayAt(start); di >= 0 {
		d := &m.days[di]
		if dep := l.nextDep[di][start-d.offset]; dep != none {
			out.Next = m.Time(d.offset + int32(dep))
			out.Wait = int(int32(dep) - (start - d.offset))
			out.NextRide = int(l.endToEnd[di][dep])
		}
	}
	waits, counted := 0, 0
	var rides []int
	seen := map[int32]bool{}
	for t := start; t < start+int32(minutes); t++ {
		di := m.dayAt(t)
		if di < 0 {
			continue
		}
		d := &m.days[di]
		dep := l.nextDep[di][t-d.offset]
		if dep == none {
			continue
		}
		waits += int(int32(dep) - (t - d.offset))
		counted++
		if at := d.offset + int32(dep); at < start+int32(minutes) && !seen[at] {
			seen[at] = true
			rides = append(rides, int(l.endToEnd[di][dep]))
		}
	}
	if len(rides) == 0 {
		return out, true
	}
	out.Running = true
	out.ExpectedWait = int(math.Round(float64(waits) / float64(counted)))
	slices.Sort(rides)
	out.Ride, out.MaxRide = rides[len(rides)/2], rides[len(rides)-1]
	return out, true
}
