package planner

import (
	"cmp"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/travel"
)

// Status of a transition between two agenda items.
const (
	StatusOK         = "ok"
	StatusTight      = "tight"      // slack under TightMinutes
	StatusImpossible = "impossible" // arrives after the start
	StatusSeatLost   = "seat_lost"  // arrives at or after a reserved seat's release instant
	// StatusOverlap (repair.go): the next item starts before this one ends.
)

// Agenda is the analysis of an attendee's items, day by day.
type Agenda struct {
	Days     []DayAgenda `json:"days"`
	Warnings []string    `json:"warnings,omitempty"`
}

// DayAgenda is one day: its items by start and the legs between them
// (Legs[i] goes from Items[i] to Items[i+1]).
type DayAgenda struct {
	Date          string `json:"date"`
	Items         []Item `json:"items"`
	Legs          []Leg  `json:"legs"`
	WalkMeters    int    `json:"walkMeters"`
	ShuttleRides  int    `json:"shuttleRides"`
	TravelMinutes int    `json:"travelMinutes"`
	// Lunch: there are LunchMinutes free within 11:00–13:00 at a venue that
	// serves lunch (before the first item, between two, or after the last),
	// or the day holds a block for lunch.
	Lunch bool `json:"lunch"`
}

// Leg is the trip between two consecutive items, leaving at the end of the
// earlier one.
type Leg struct {
	From    string    `json:"from"` // session id, else the item's title
	To      string    `json:"to"`
	Depart  time.Time `json:"depart"`
	Arrive  time.Time `json:"arrive"`
	Minutes int       `json:"minutes"`
	Mode    string    `json:"mode"` // inside, walk, shuttle, monorail; "" when a place is unknown
	Meters  int       `json:"meters"`
	// SlackMinutes is the time between arriving and the next start
	// (negative when late).
	SlackMinutes int `json:"slackMinutes"`
	// LeaveBy is the latest departure that still arrives by the next
	// start, and LeaveByArrive when that departure arrives (the same
	// trip); zero when the next start cannot be reached, or a place is
	// unknown.
	LeaveBy       time.Time     `json:"leaveBy,omitzero"`
	LeaveByArrive time.Time     `json:"leaveByArrive,omitzero"`
	Status        string        `json:"status"`
	Estimate      bool          `json:"estimate,omitempty"`
	Steps         []travel.Step `json:"steps,omitempty"`
}

// Analyze checks an agenda (reservations, planned sittings, blocks, in any
// order): per day the items by start, the leg between consecutive items
// departing at the end of the earlier one, its slack and status, the day's
// walking, shuttle rides and lunch break. An item without a place (a block
// with neither room nor venue) happens where the attendee already is.
func Analyze(snap *conference.Snapshot, tm *travel.Model, items []Item, opt Options) (Agenda, error) {
	if err := opt.Validate(snap); err != nil {
		return Agenda{}, err
	}
	tm, err := tm.WithWalkFactor(opt.WalkFactor)
	if err != nil {
		return Agenda{}, err
	}
	p := &problem{snap: snap, tm: tm, opt: opt}
	if err := p.initDays(); err != nil {
		return Agenda{}, err
	}
	var ag Agenda
	byDay := make([][]resolvedFixed, len(p.days))
	for _, it := range items {
		r, err := p.resolveItem(it)
		if err != nil {
			return Agenda{}, err
		}
		if r.day < 0 {
			ag.Warnings = append(ag.Warnings, kindName(r.Kind)+" "+firstNonEmpty(r.SessionID, r.Title)+" is not on a conference day")
			continue
		}
		byDay[r.day] = append(byDay[r.day], r)
	}
	ag.Days = []DayAgenda{}
	for di, list := range byDay {
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(a, b resolvedFixed) int {
			return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End))
		})
		ag.Days = append(ag.Days, p.analyzeDay(&p.days[di], list))
	}
	return ag, nil
}

func (p *problem) analyzeDay(d *dayProb, list []resolvedFixed) DayAgenda {
	day := DayAgenda{Date: d.date, Items: make([]Item, len(list)), Legs: []Leg{}}
	room, venue := int32(-1), int32(-1) // where the attendee is
	for i := range list {
		it := &list[i]
		day.Items[i] = it.Item
		if it.Kind == KindReservation {
			day.Items[i].Reserved = true
		}
		if it.room < 0 { // no place: stays where they are
			it.room, it.venue = room, venue
		}
		if it.Kind == KindBlock && IsLunchBlock(it.Title) {
			day.Lunch = true // the attendee's own lunch
		}
		if i == 0 {
			day.Lunch = day.Lunch || p.lunchFits(d, it.venue, d.midnight, it.start)
		} else {
			a := &list[i-1]
			leg := p.leg(a, it)
			day.Legs = append(day.Legs, leg)
			day.WalkMeters += leg.Meters
			day.TravelMinutes += leg.Minutes
			for _, s := range leg.Steps {
				if s.Mode == travel.ModeShuttle {
					day.ShuttleRides++
				}
			}
			arrive := a.end + int32(leg.Minutes)
			day.Lunch = day.Lunch || p.lunchFits(d, it.venue, arrive, it.start) ||
				p.lunchFits(d, a.venue, a.end, it.start-(arrive-a.end))
		}
		room, venue = it.room, it.venue
	}
	last := &list[len(list)-1]
	day.Lunch = day.Lunch || p.lunchFits(d, last.venue, last.end, d.midnight+24*60)
	return day
}

// leg is the trip a → b with its slack and status.
func (p *problem) leg(a, b *resolvedFixed) Leg {
	leg := Leg{From: firstNonEmpty(a.SessionID, a.Title), To: firstNonEmpty(b.SessionID, b.Title), Depart: a.End, Arrive: a.End}
	walked := false // the whole way on foot (avoidShuttle): the same minutes at any hour
	if a.room >= 0 && b.room >= 0 {
		if trip, err := p.tm.Leg(p.snap.Conf.Rooms[a.room].ID, p.snap.Conf.Rooms[b.room].ID, a.End); err == nil {
			if p.opt.AvoidShuttle && summarize(trip).shuttle {
				if walk, ok := p.walkTrip(a.room, b.room); ok {
					trip, walked = retime(walk, a.End), true
				}
			}
			leg.Arrive, leg.Minutes, leg.Mode, leg.Estimate, leg.Steps = trip.Arrive, trip.Minutes, trip.Mode, trip.Estimate, trip.Steps
			for _, s := range trip.Steps {
				if s.Mode == travel.ModeWalk {
					leg.Meters += s.Meters
				}
			}
		}
	}
	arrive := p.minute(leg.Arrive)
	leg.SlackMinutes = int(b.start - arrive)
	switch {
	case a.room < 0 || b.room < 0 || arrive > b.start || a.end > b.start:
	case walked:
		leg.LeaveBy = b.Start.Add(-time.Duration(leg.Minutes) * time.Minute)
		leg.LeaveByArrive = b.Start
	default:
		var mins int
		leg.LeaveBy, mins, _ = leaveBy(p.snap, p.tm, a.room, b.room, a.end, b.start)
		leg.LeaveByArrive = leg.LeaveBy.Add(time.Duration(mins) * time.Minute)
	}
	reserved := b.Reserved || b.Kind == KindReservation
	switch {
	case a.end > b.start:
		leg.Status = StatusOverlap // not a trip at all: b starts before a ends
	case arrive > b.start:
		leg.Status = StatusImpossible
	case reserved && b.SessionID != "" && arrive >= b.start-int32(p.opt.ReleaseLeadMinutes):
		leg.Status = StatusSeatLost
	case leg.SlackMinutes < TightMinutes:
		leg.Status = StatusTight
	default:
		leg.Status = StatusOK
	}
	return leg
}

// retime moves a trip to leave at depart.
func retime(trip travel.Trip, depart time.Time) travel.Trip {
	shift := depart.Sub(trip.Depart)
	trip.Depart, trip.Arrive = depart, trip.Arrive.Add(shift)
	trip.Steps = slices.Clone(trip.Steps)
	for i := range trip.Steps {
		trip.Steps[i].Depart = trip.Steps[i].Depart.Add(shift)
		trip.Steps[i].Arrive = trip.Steps[i].Arrive.Add(shift)
	}
	return trip
}
