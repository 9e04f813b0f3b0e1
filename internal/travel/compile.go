package travel

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// DetourFactor turns a straight line into a walk when nothing better is
// known: streets, crossings and bridges make walks about 40% longer.
const DetourFactor = 1.4

// UnlocatedMinutes is the walk assumed to or from a venue without
// coordinates.
const UnlocatedMinutes = 30

const (
	none     = -1 // no departure / no ride at this minute
	infinity = math.MaxInt32 / 2
)

type edge struct {
	from, to  int32
	isRide    bool
	synthetic bool // a fallback link: the trip is an estimate
	// deadEnd marks a guess to or from a venue without coordinates: a trip
	// may end with it but not go on through that venue, which would make an
	// unknown place a shortcut between known ones.
	deadEnd bool

	// walk
	minutes int32
	meters  int
	path    [][2]float64

	// ride: walk to a stop, wait, ride, walk from a stop
	line             int32
	board, alight    int32 // stop indexes
	accFrom, accTo   int32
	arr              [][]int16 // per day, per minute at the entrance: arrival minute at the far entrance, or none
	ride             [][]int16 // per day, per departure minute: ride minutes
	ridePath         [][2]float64
	rideMeters       int
	accFromM, accToM int
	accFromPath      [][2]float64 // entrance to stop
	accToPath        [][2]float64 // stop to entrance
}

type stop struct {
	id     string
	lonLat [2]float64
}

type line struct {
	id, mode string
	nextDep  [][]int16 // per day, per minute: the next departure at or after it, or none
	endToEnd [][]int16 // per day, per departure minute: ride from the first stop to the last
}

type route struct {
	edges    []int32
	mode     string
	estimate bool
	steps    int // steps replay produces, for the slice's capacity
}

// Compile builds the tables for a snapshot: from its travel model, or from
// venue coordinates (Estimate) when it has none. The model is assumed valid
// (conference.Validate checks it).
func Compile(snap *conference.Snapshot) (*Model, error) {
	m, err := compile(snap, 1, &variants{})
	if err != nil {
		return nil, err
	}
	m.variants.m = map[int]*Model{int(math.Round(1 / walkFactorStep)): m}
	return m, nil
}

func compile(snap *conference.Snapshot, walkFactor float64, vs *variants) (*Model, error) {
	c := snap.Conf
	if len(c.Days) == 0 {
		return nil, errcode.New(errcode.Invalid, "a conference without days has no travel times")
	}
	src, estimate := c.Travel, false
	if src.Empty() {
		// No places of its own (perhaps only corrections): estimated from
		// the venues' coordinates, with what it does say kept.
		src, estimate = fallbackModel(c, src), true
	}
	m := &Model{snap: snap, source: src, estimate: estimate, walkFactor: walkFactor, variants: vs}
	if err := m.layoutDays(c.Days, snap.Loc); err != nil {
		return nil, err
	}
	speed := src.WalkSpeed
	if speed <= 0 {
		speed = conference.DefaultWalkSpeed
	}
	m.indexVenues(c, src)
	m.indexRooms(c, src)
	entIdx := map[string]int32{}
	for i, e := range m.ents {
		entIdx[e.id] = int32(i)
	}
	for _, w := range src.WalkLinks {
		a, okA := entIdx[w.FromID]
		b, okB := entIdx[w.ToID]
		if !okA || !okB || a == b {
			continue
		}
		meters := float64(w.Meters)
		if meters <= 0 {
			meters = conference.PathMeters(w.Path)
		}
		minutes := int32(w.Minutes)
		if minutes <= 0 {
			minutes = walkMinutes(meters, speed)
		}
		m.addWalk(a, b, m.walk(minutes), int(math.Round(meters)), w.Path, estimate)
	}
	m.applyCorrections(src.WalkCorrections)
	m.connect(speed)
	if err := m.addLines(snap, src, entIdx); err != nil {
		return nil, err
	}
	m.buildTables()
	return m, nil
}

func walkMinutes(meters, speed float64) int32 {
	return int32(max(1, math.Ceil(meters/speed/60)))
}

func (m *Model) layoutDays(dates []string, loc *time.Location) error {
	base := 0
	for i, date := range dates {
		mid, err := time.ParseInLocation(time.DateOnly, date, loc)
		if err != nil {
			return errcode.Wrap(errcode.Invalid, err, "bad conference day %q", date)
		}
		if i == 0 {
			m.origin = mid
		}
		next := time.Date(mid.Year(), mid.Month(), mid.Day()+1, 0, 0, 0, 0, loc)
		d := day{
			date:   date,
			offset: int32(mid.Sub(m.origin) / time.Minute),
			length: int32(next.Sub(mid) / time.Minute),
			base:   base,
		}
		m.days = append(m.days, d)
		base += int(d.length) // times nEnt² once entrances are known
	}
	return nil
}

func (m *Model) indexVenues(c *conference.Conference, src *conference.TravelModel) {
	n := len(c.Venues)
	m.venueIdx = make(map[string]int32, n)
	m.venueMainEnt = make([]int32, n)
	m.venueSame = make([]int32, n)
	m.venueLevelStep = make([]int32, n)
	for i, v := range c.Venues {
		m.venueIdx[v.ID] = int32(i)
		m.venueMainEnt[i] = -1
		m.venueSame[i] = conference.DefaultSameLevelMinutes
		m.venueLevelStep[i] = conference.DefaultLevelChangeMinutes
	}
	for _, w := range src.Venues {
		if i, ok := m.venueIdx[w.VenueID]; ok {
			if w.SameLevelMinutes > 0 {
				m.venueSame[i] = int32(w.SameLevelMinutes)
			}
			if w.LevelChangeMinutes > 0 {
				m.venueLevelStep[i] = int32(w.LevelChangeMinutes)
			}
		}
	}
	for i := range n {
		m.venueSame[i] = m.walk(m.venueSame[i])
		m.venueLevelStep[i] = m.walk(m.venueLevelStep[i])
	}
	for _, e := range src.Entrances {
		v, ok := m.venueIdx[e.VenueID]
		if !ok {
			continue
		}
		if m.venueMainEnt[v] < 0 {
			m.venueMainEnt[v] = int32(len(m.ents))
		}
		m.ents = append(m.ents, entrance{id: e.ID, venue: v, lonLat: [2]float64{e.Lon, e.Lat}, located: e.Lat != 0 || e.Lon != 0})
	}
	// A venue the model forgot still gets a door, at its coordinates.
	for i, v := range c.Venues {
		if m.venueMainEnt[i] >= 0 {
			continue
		}
		m.venueMainEnt[i] = int32(len(m.ents))
		lonLat, located := venueLonLat(v)
		m.ents = append(m.ents, entrance{id: v.ID, venue: int32(i), lonLat: lonLat, located: located})
	}
	m.nEnt = len(m.ents)
}

func (m *Model) indexRooms(c *conference.Conference, src *conference.TravelModel) {
	n := len(c.Rooms)
	m.roomIdx = make(map[string]int32, n)
	m.roomVenue = make([]int32, n)
	m.roomEnt = make([]int32, n)
	m.roomAccess = make([]int32, n)
	m.roomLevel = make([]int32, n)
	m.roomLevelS = make([]string, n)
	def := int32(src.DefaultAccessMinutes)
	if def <= 0 {
		def = conference.DefaultAccessMinutes
	}
	venueDef := make([]int32, len(c.Venues))
	for i, v := range c.Venues {
		venueDef[i] = def
		if v.AccessMinutes > 0 {
			venueDef[i] = int32(v.AccessMinutes)
		}
	}
	entIdx := map[string]int32{}
	for i, e := range m.ents {
		entIdx[e.id] = int32(i)
	}
	for i, r := range c.Rooms {
		v := m.venueIdx[r.VenueID]
		m.roomIdx[r.ID] = int32(i)
		m.roomVenue[i] = v
		m.roomEnt[i] = m.venueMainEnt[v]
		m.roomAccess[i] = venueDef[v]
		m.roomLevel[i] = noLevel
		if l, ok := conference.LevelNumber(r.Level); ok {
			m.roomLevel[i] = int32(l)
		}
		m.roomLevelS[i] = strings.ToLower(strings.TrimSpace(r.Level))
	}
	for _, a := range src.Rooms {
		i, ok := m.roomIdx[a.RoomID]
		e, okE := entIdx[a.EntranceID]
		if !ok || !okE || m.ents[e].venue != m.roomVenue[i] {
			continue
		}
		m.roomEnt[i] = e
		m.roomAccess[i] = int32(a.Minutes)
	}
	for i := range m.roomAccess {
		m.roomAccess[i] = m.walk(m.roomAccess[i])
	}
}

// applyCorrections replaces the walk between the main entrances of each
// corrected pair of venues by the organizer's minutes: no longer an
// estimate. Transit between them is untouched (a shuttle may still win).
func (m *Model) applyCorrections(list []conference.WalkCorrection) {
	for _, c := range list {
		va, okA := m.venueIdx[c.FromID]
		vb, okB := m.venueIdx[c.ToID]
		if !okA || !okB || va == vb || c.Minutes <= 0 {
			continue
		}
		a, b := m.venueMainEnt[va], m.venueMainEnt[vb]
		meters, path := 0, [][2]float64(nil)
		m.edges = slices.DeleteFunc(m.edges, func(e edge) bool {
			between := !e.isRide && (e.from == a && e.to == b || e.from == b && e.to == a)
			if between && e.from == a && (path == nil || !e.synthetic) {
				meters, path = e.meters, e.path
			}
			return between
		})
		if path == nil && m.ents[a].located && m.ents[b].located {
			path = [][2]float64{m.ents[a].lonLat, m.ents[b].lonLat}
		}
		m.addWalk(a, b, m.walk(int32(c.Minutes)), meters, path, false)
	}
}

func (m *Model) addWalk(a, b, minutes int32, meters int, path [][2]float64, synthetic bool) {
	deadEnd := !m.ents[a].located || !m.ents[b].located
	m.edges = append(m.edges,
		edge{from: a, to: b, minutes: minutes, meters: meters, path: path, synthetic: synthetic, deadEnd: deadEnd},
		edge{from: b, to: a, minutes: minutes, meters: meters, path: reversed(path), synthetic: synthetic, deadEnd: deadEnd})
}

// connect adds estimated walks between entrances the model's walks leave
// apart, so that every trip has an answer at any hour.
func (m *Model) connect(speed float64) {
	parent := make([]int, m.nEnt)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, e := range m.edges {
		parent[find(int(e.from))] = find(int(e.to))
	}
	comp := make([]int, m.nEnt)
	for i := range comp {
		comp[i] = find(i)
	}
	for a := 0; a < m.nEnt; a++ {
		for b := a + 1; b < m.nEnt; b++ {
			if comp[a] == comp[b] {
				continue
			}
			ea, eb := m.ents[a], m.ents[b]
			if !ea.located || !eb.located {
				m.addWalk(int32(a), int32(b), m.walk(UnlocatedMinutes), 0, nil, true)
				continue
			}
			meters := conference.DistanceMeters(ea.lonLat, eb.lonLat) * DetourFactor
			m.addWalk(int32(a), int32(b), m.walk(walkMinutes(meters, speed)), int(math.Round(meters)),
				[][2]float64{ea.lonLat, eb.lonLat}, true)
		}
	}
}

func reversed(path [][2]float64) [][2]float64 {
	if path == nil {
		return nil
	}
	r := slices.Clone(path)
	slices.Reverse(r)
	return r
}

// cell returns the index of a table cell.
func (m *Model) cell(d *day, from, to int, minute int) int {
	return d.base + (from*m.nEnt+to)*int(d.length) + minute
}

// buildTables runs a time-dependent Dijkstra over the entrances from every
// entrance at every minute of every day. The graph is small (one node per
// entrance, transit folded into entrance-to-entrance edges), so a plain
// O(n²) Dijkstra beats a heap.
func (m *Model) buildTables() {
	n := m.nEnt
	total := 0
	for i := range m.days {
		m.days[i].base = total
		total += n * n * int(m.days[i].length)
	}
	m.arrive = make([]int16, total)
	m.route = make([]uint16, total)

	adj := make([][]int32, n)
	for i, e := range m.edges {
		adj[e.from] = append(adj[e.from], int32(i))
	}
	rb := newRouteBuilder(m)
	dist := make([]int32, n)
	pred := make([]int32, n)
	rid := make([]uint16, n)
	done := make([]bool, n)

	run := func(di int, src int, start int32) {
		for i := range dist {
			dist[i], pred[i], done[i] = infinity, -1, false
		}
		dist[src] = start
		length := int32(-1)
		if di >= 0 {
			length = m.days[di].length
		}
		for range n {
			u, best := -1, int32(infinity)
			for i, d := range dist {
				if !done[i] && d < best {
					u, best = i, d
				}
			}
			if u < 0 {
				break
			}
			done[u] = true
			if u == src {
				rid[u] = 0
			} else {
				e := pred[u]
				rid[u] = rb.child(rid[m.edges[e].from], e)
				if m.edges[e].deadEnd {
					continue
				}
			}
			for _, ei := range adj[u] {
				e := &m.edges[ei]
				if done[e.to] {
					continue
				}
				var a int32
				if !e.isRide {
					a = best + e.minutes
				} else {
					if best >= length { // no transit outside the day's service
						continue
					}
					v := e.arr[di][best]
					if v == none {
						continue
					}
					a = int32(v)
				}
				if a < dist[e.to] {
					dist[e.to], pred[e.to] = a, ei
				}
			}
		}
	}

	for di := range m.days {
		d := &m.days[di]
		for src := range n {
			for minute := int32(0); minute < d.length; minute++ {
				run(di, src, minute)
				for to := range n {
					idx := m.cell(d, src, to, int(minute))
					m.arrive[idx] = int16(min(dist[to], math.MaxInt16)) // connect makes every entrance reachable
					m.route[idx] = rid[to]
				}
			}
		}
	}
	m.offMinutes = make([]int32, n*n)
	m.offRoute = make([]uint16, n*n)
	for src := range n {
		run(-1, src, 0)
		for to := range n {
			m.offMinutes[src*n+to] = dist[to]
			m.offRoute[src*n+to] = rid[to]
		}
	}
	m.routes = rb.routes
}

// routeBuilder interns routes as a trie over edges: a route is its parent
// route plus one edge.
type routeBuilder struct {
	m      *Model
	routes []route
	next   []int32 // [route][edge] -> child route, or -1
}

func newRouteBuilder(m *Model) *routeBuilder {
	rb := &routeBuilder{m: m}
	rb.add(route{mode: ModeWalk, estimate: false})
	return rb
}

func (rb *routeBuilder) add(r route) uint16 {
	if len(rb.routes) >= math.MaxUint16 {
		panic("travel: too many distinct routes") // unreachable for any real venue graph
	}
	rb.routes = append(rb.routes, r)
	for range rb.m.edges {
		rb.next = append(rb.next, -1)
	}
	return uint16(len(rb.routes) - 1)
}

func (rb *routeBuilder) child(parent uint16, e int32) uint16 {
	k := int(parent)*len(rb.m.edges) + int(e)
	if c := rb.next[k]; c >= 0 {
		return uint16(c)
	}
	p := rb.routes[parent]
	ed := &rb.m.edges[e]
	r := route{
		edges:    append(slices.Clone(p.edges), e),
		mode:     p.mode,
		estimate: p.estimate || ed.synthetic,
		steps:    p.steps + 1,
	}
	if ed.isRide {
		r.steps += 3
		if p.mode == ModeWalk {
			r.mode = rb.m.lines[ed.line].mode
		}
	}
	id := rb.add(r)
	rb.next[k] = int32(id)
	return id
}

// replay turns a route into steps, leaving the first entrance at conference
// minute at. It retraces what the table computed, so the times agree.
func (m *Model) replay(steps []Step, r *route, at int32) []Step {
	t := at
	for _, ei := range r.edges {
		e := &m.edges[ei]
		if !e.isRide {
			steps = append(steps, Step{Mode: ModeWalk, FromID: m.ents[e.from].id, ToID: m.ents[e.to].id,
				Depart: m.Time(t), Arrive: m.Time(t + e.minutes), Minutes: int(e.minutes), Meters: e.meters, Path: e.path})
			t += e.minutes
			continue
		}
		di := m.dayAt(t)
		if di < 0 { // cannot happen: rides are only routed within a day
			continue
		}
		d := &m.days[di]
		board := t - d.offset + e.accFrom
		boardStop, alightStop := m.stops[e.board], m.stops[e.alight]
		if e.accFrom > 0 {
			steps = append(steps, Step{Mode: ModeWalk, FromID: m.ents[e.from].id, ToID: boardStop.id,
				Depart: m.Time(t), Arrive: m.Time(d.offset + board), Minutes: int(e.accFrom), Meters: e.accFromM,
				Path: e.accFromPath})
		}
		dep := int32(m.lines[e.line].nextDep[di][board])
		if dep > board {
			steps = append(steps, Step{Mode: ModeWait, FromID: boardStop.id, ToID: boardStop.id,
				Depart: m.Time(d.offset + board), Arrive: m.Time(d.offset + dep), Minutes: int(dep - board)})
		}
		ride := int32(e.ride[di][dep])
		steps = append(steps, Step{Mode: m.lines[e.line].mode, FromID: boardStop.id, ToID: alightStop.id,
			Depart: m.Time(d.offset + dep), Arrive: m.Time(d.offset + dep + ride), Minutes: int(ride),
			Meters: e.rideMeters, Path: e.ridePath})
		t = d.offset + dep + ride
		if e.accTo > 0 {
			steps = append(steps, Step{Mode: ModeWalk, FromID: alightStop.id, ToID: m.ents[e.to].id,
				Depart: m.Time(t), Arrive: m.Time(t + e.accTo), Minutes: int(e.accTo), Meters: e.accToM,
				Path: e.accToPath})
			t += e.accTo
		}
	}
	return steps
}

// String describes a model briefly, for logs.
func (m *Model) String() string {
	return fmt.Sprintf("travel model: %d entrances, %d edges, %d routes, %d days, estimate=%v",
		m.nEnt, len(m.edges), len(m.routes), len(m.days), m.estimate)
}
