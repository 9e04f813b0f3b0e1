package travel

// Offline tables: what a device needs to answer ArriveBy and a trip's mode
// exactly as the server does, without the network (see docs/offline.md).
//
// The per-minute entrance tables are cut into runs. A run covers
// consecutive minutes of one (day, from, to) pair where the route's mode is
// the same and the arrival either moves with the clock (a walk: constant
// minutes) or stands still (waiting for the same departure). A run is four
// integers: its length in minutes, the trip's minutes at its first minute,
// the slope (1: arrival moves with the clock, 0: arrival fixed) and the
// mode's index in Modes. A walk-only pair is one run per day.

// OfflineTables is the compact form of a compiled model.
type OfflineTables struct {
	// Origin is the first day's midnight (conference zone), in Unix
	// milliseconds: conference minute m is Origin + m·60000.
	Origin int64    `json:"origin"`
	Zone   string   `json:"zone"`
	Modes  []string `json:"modes"`
	// Entrances are ids, by index.
	Entrances []string `json:"entrances"`
	// Venues: id, minutes between two rooms on one level, minutes per level.
	Venues []OfflineVenue `json:"venues"`
	// Rooms: id, venue index, entrance index, access minutes (room to its
	// entrance), numeric level (or null) and level label (lower case).
	Rooms []OfflineRoom `json:"rooms"`
	Days  []OfflineDay  `json:"days"`
	// Off is, outside the conference days, [from·n+to] = [minutes, mode].
	Off [][2]int32 `json:"off"`
	// Estimate: the model is the fallback estimate.
	Estimate bool `json:"estimate,omitempty"`
}

// OfflineVenue is a venue's walking inside.
type OfflineVenue struct {
	ID        string `json:"id"`
	Same      int32  `json:"same"`
	LevelStep int32  `json:"levelStep"`
}

// OfflineRoom is a room's place in the model.
type OfflineRoom struct {
	ID       string `json:"id"`
	Venue    int32  `json:"v"`
	Entrance int32  `json:"e"`
	Access   int32  `json:"a"`
	Level    *int32 `json:"l,omitempty"`
	LevelS   string `json:"ls,omitempty"`
}

// OfflineDay is one conference day: its date, first conference minute,
// length, and the runs of every entrance pair [from·n+to].
type OfflineDay struct {
	Date   string    `json:"date"`
	Offset int32     `json:"offset"`
	Length int32     `json:"length"`
	Runs   [][]int32 `json:"runs"`
}

// Offline returns the model's tables in compact form.
func (m *Model) Offline() *OfflineTables {
	t := &OfflineTables{Origin: m.origin.UnixMilli(), Zone: m.origin.Location().String(), Estimate: m.estimate}
	modeIdx := map[string]int32{}
	mode := func(s string) int32 {
		if i, ok := modeIdx[s]; ok {
			return i
		}
		modeIdx[s] = int32(len(t.Modes))
		t.Modes = append(t.Modes, s)
		return modeIdx[s]
	}
	mode(ModeWalk)
	mode(ModeInside)
	for _, e := range m.ents {
		t.Entrances = append(t.Entrances, e.id)
	}
	t.Venues = make([]OfflineVenue, len(m.venueSame))
	for id, i := range m.venueIdx {
		t.Venues[i] = OfflineVenue{ID: id, Same: m.venueSame[i], LevelStep: m.venueLevelStep[i]}
	}
	t.Rooms = make([]OfflineRoom, len(m.roomVenue))
	for id, i := range m.roomIdx {
		r := OfflineRoom{ID: id, Venue: m.roomVenue[i], Entrance: m.roomEnt[i], Access: m.roomAccess[i], LevelS: m.roomLevelS[i]}
		if m.roomLevel[i] != noLevel {
			l := m.roomLevel[i]
			r.Level = &l
		}
		t.Rooms[i] = r
	}
	n := m.nEnt
	for di := range m.days {
		d := &m.days[di]
		od := OfflineDay{Date: d.date, Offset: d.offset, Length: d.length, Runs: make([][]int32, n*n)}
		for from := range n {
			for to := range n {
				base := m.cell(d, from, to, 0)
				var runs []int32
				for k := 0; k < int(d.length); {
					arr := int32(m.arrive[base+k])
					md := mode(m.routes[m.route[base+k]].mode)
					length, slope := int32(1), int32(1)
					if k+1 < int(d.length) && mode(m.routes[m.route[base+k+1]].mode) == md {
						if s := int32(m.arrive[base+k+1]) - arr; s == 0 || s == 1 {
							slope = s
						}
					}
					for j := k + 1; j < int(d.length); j++ {
						if mode(m.routes[m.route[base+j]].mode) != md || int32(m.arrive[base+j]) != arr+slope*int32(j-k) {
							break
						}
						length++
					}
					runs = append(runs, length, arr-int32(k), slope, md)
					k += int(length)
				}
				od.Runs[from*n+to] = runs
			}
		}
		t.Days = append(t.Days, od)
	}
	t.Off = make([][2]int32, n*n)
	for k := range t.Off {
		t.Off[k] = [2]int32{m.offMinutes[k], mode(m.routes[m.offRoute[k]].mode)}
	}
	return t
}
