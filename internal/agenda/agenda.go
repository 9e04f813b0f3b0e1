// Package agenda is the attendee's planning service: it gathers their
// favourites, personal blocks and reservations, runs the planner over them,
// keeps the proposals it makes (one of which the attendee may accept as
// their plan), reserves a plan's seats, answers "what can I still reach",
// and re-plans when the organizers move or cancel a session of an accepted
// plan. The HTTP API, the pages and the CLI all plan through it; the planner
// itself stays pure.
package agenda

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

// Personal is where an attendee's favourites and blocks are kept
// (account.Store is one).
type Personal interface {
	Favorites(ctx context.Context, userID string) ([]account.Favorite, error)
	Blocks(ctx context.Context, userID string) ([]account.Block, error)
}

// ReservationLister lists an attendee's reservations (the reservation
// engine, or a store that keeps them).
type ReservationLister interface {
	Reservations(ctx context.Context, attendeeID string) ([]reservation.Reservation, error)
}

// Seats is what planning needs from the reservation engine.
type Seats interface {
	ReservationLister
	Reserve(ctx context.Context, attendeeID string, sessionIDs []string, idemKey string) (reservation.Answer, error)
	Cancel(ctx context.Context, attendeeID, sessionID string) error
	Count(sessionID string) (reservation.SeatCount, bool)
	// CheckedIn is how many were scanned into a session (keynote fill).
	CheckedIn(sessionID string) (int, bool)
}

// Notifier tells one attendee that a change produced a new proposal (the
// event hub's per-attendee stream).
type Notifier interface {
	PlanChanged(attendeeID string, n ChangeNotice)
}

// ChangeNotice is the SSE change event an attendee gets when a session of
// their accepted plan moved or was cancelled.
type ChangeNotice struct {
	SessionID string `json:"sessionId"`
	Kind      string `json:"kind"`
	PlanID    string `json:"planId"`
}

// Deps are what the service needs. Seats and Notify may be nil (no
// reservations: every reservable sitting is a walk-up).
type Deps struct {
	Live     *live.Holder
	Clock    clock.Clock
	Personal Personal
	Seats    Seats
	Plans    PlanStore
	Notify   Notifier
	Logger   *slog.Logger
	// TimeLimit bounds one optimization (default planner.DefaultTimeLimit).
	TimeLimit time.Duration
	// PlansPerMinute is each attendee's quota of optimizations (default 20).
	PlansPerMinute int
	// Concurrent bounds the optimizations running at once (default 4):
	// each may use a CPU for up to TimeLimit.
	Concurrent int
}

// Service plans for attendees. It is safe for concurrent use.
type Service struct {
	d     Deps
	log   *slog.Logger
	slots chan struct{}
	quota *limiter

	changes chan reservation.Change
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// New returns a service; Start begins re-planning on changes.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.PlansPerMinute <= 0 {
		d.PlansPerMinute = 20
	}
	if d.Concurrent <= 0 {
		d.Concurrent = 4
	}
	s := &Service{d: d, log: d.Logger, slots: make(chan struct{}, d.Concurrent),
		quota:   newLimiter(d.PlansPerMinute, time.Minute),
		changes: make(chan reservation.Change, 1024), stop: make(chan struct{}), done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Now is the conference clock's time.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// Inputs are what the planner plans with for one attendee.
type Inputs struct {
	Wishes []planner.Wish
	// Fixed: reservations (kind reservation), blocks and marked keynotes.
	Fixed    []planner.Fixed
	Reserved map[string]bool
	Warnings []string
}

// Gather reads an attendee's favourites, blocks and active reservations.
// Favourites and reservations of sessions no longer in the conference are
// left out with a warning.
func Gather(ctx context.Context, snap *conference.Snapshot, personal Personal, res ReservationLister, attendeeID string) (Inputs, error) {
	in := Inputs{Reserved: map[string]bool{}}
	favs, err := personal.Favorites(ctx, attendeeID)
	if err != nil {
		return in, err
	}
	for _, f := range favs {
		se, ok := snap.Session(f.SessionID)
		if !ok {
			in.Warnings = append(in.Warnings, "one of your favourites is no longer in the catalog")
			continue
		}
		if se.Type == conference.TypeKeynote && se.Scheduled() && !se.Cancelled {
			// A starred keynote is a marked keynote: a fixed point of the
			// day the planner plans around, not one wish among others.
			in.Fixed = append(in.Fixed, planner.Fixed{Kind: planner.KindKeynote, SessionID: se.ID, Importance: string(f.Priority)})
			continue
		}
		in.Wishes = append(in.Wishes, planner.Wish{SessionID: f.SessionID, Priority: string(f.Priority)})
	}
	blocks, err := personal.Blocks(ctx, attendeeID)
	if err != nil {
		return in, err
	}
	for _, b := range blocks {
		in.Fixed = append(in.Fixed, planner.Fixed{Kind: planner.KindBlock, Title: b.Title, Start: b.Start, End: b.End, VenueID: b.VenueID, BlockID: b.ID})
	}
	if res != nil {
		list, err := res.Reservations(ctx, attendeeID)
		if err != nil {
			return in, err
		}
		for _, r := range list {
			if r.Status != reservation.StateActive {
				continue
			}
			if se, ok := snap.Session(r.SessionID); !ok || !se.Scheduled() {
				title := "a session"
				if ok {
					title = "“" + se.Title + "”"
				}
				in.Warnings = append(in.Warnings, "your seat in "+title+" is for a session no longer in the schedule")
				continue
			}
			in.Fixed = append(in.Fixed, planner.Fixed{Kind: planner.KindReservation, SessionID: r.SessionID, Reserved: true})
			in.Reserved[r.SessionID] = true
		}
	}
	// Favourites first by priority, then by the start of the starred
	// sitting: the order greedy and the unplanned agenda follow.
	slices.SortStableFunc(in.Wishes, func(a, b planner.Wish) int {
		sa, _ := snap.Session(a.SessionID)
		sb, _ := snap.Session(b.SessionID)
		return cmp.Or(cmp.Compare(rank(a.Priority), rank(b.Priority)), sa.Start.Compare(sb.Start))
	})
	return in, nil
}

func rank(p string) int {
	switch p {
	case planner.Must:
		return 0
	case planner.Want:
		return 1
	case planner.Maybe:
		return 2
	}
	return 3
}

// state returns the live conference or an unavailable error.
func (s *Service) state() (*live.State, error) {
	st := s.d.Live.Load()
	if st == nil {
		return nil, errcode.New(errcode.Unavailable, "the conference is still loading")
	}
	return st, nil
}

// seatLister is the engine as a ReservationLister, or nil without one.
func (s *Service) seatLister() ReservationLister {
	if s.d.Seats != nil {
		return s.d.Seats
	}
	return nil
}

func (s *Service) gather(ctx context.Context, snap *conference.Snapshot, attendeeID string) (Inputs, error) {
	in, err := Gather(ctx, snap, s.d.Personal, s.seatLister(), attendeeID)
	if err != nil {
		return in, err
	}
	locks, err := s.d.Plans.Locks(ctx, attendeeID)
	if err != nil {
		return in, err
	}
	ApplyLocks(&in, locks)
	return in, nil
}

// mine is an attendee's planning state read at once: the live conference,
// their inputs, their accepted plan (nil if none) and their current items.
type mine struct {
	st       *live.State
	in       Inputs
	accepted *Proposal
	items    []planner.Item
}

func (s *Service) mine(ctx context.Context, attendeeID string) (mine, error) {
	return s.mineWith(ctx, attendeeID, s.gather)
}

// mineForWarnings is mine without the locks, which warnings do not need
// (one read less on the reservation path).
func (s *Service) mineForWarnings(ctx context.Context, attendeeID string) (mine, error) {
	return s.mineWith(ctx, attendeeID, func(ctx context.Context, snap *conference.Snapshot, attendeeID string) (Inputs, error) {
		return Gather(ctx, snap, s.d.Personal, s.seatLister(), attendeeID)
	})
}

func (s *Service) mineWith(ctx context.Context, attendeeID string, gather func(context.Context, *conference.Snapshot, string) (Inputs, error)) (mine, error) {
	var m mine
	var err error
	if m.st, err = s.state(); err != nil {
		return m, err
	}
	if m.in, err = gather(ctx, m.st.Snap, attendeeID); err != nil {
		return m, err
	}
	if m.accepted, err = s.accepted(ctx, attendeeID); err != nil {
		return m, err
	}
	m.items, _ = Current(m.st.Snap, m.in, m.accepted)
	return m, nil
}

// Current returns the items the attendee plans to attend as they stand:
// reservations, blocks and marked keynotes (less those the accepted plan
// dropped), plus the sittings of their accepted plan (each as the
// conference has it now), or without one the starred sittings that fit
// around everything else (by priority, then start; overlaps only, so
// travel problems show as legs).
func Current(snap *conference.Snapshot, in Inputs, accepted *Proposal) (items []planner.Item, warnings []string) {
	items = slices.Clone(in.Fixed)
	if accepted != nil {
		// What the accepted plan dropped stays out (a dropped seat was
		// given back when the plan was accepted; a dropped block or
		// keynote is still the attendee's, just not in the plan).
		dropped := map[string]bool{}
		for _, r := range accepted.Plan.Repairs {
			if r.Kind == planner.RepairDrop {
				dropped[LockKey(r.From)] = true
			}
		}
		items = slices.DeleteFunc(items, func(it planner.Item) bool { return dropped[LockKey(it)] })
	}
	taken := map[string]bool{} // repeat groups attended
	for _, f := range in.Fixed {
		if se, ok := snap.Session(f.SessionID); ok {
			taken[se.Group()] = true
		}
	}
	overlaps := func(se *conference.Session) bool {
		for _, it := range items {
			st, en := it.Start, it.End
			if it.SessionID != "" {
				if o, ok := snap.Session(it.SessionID); ok {
					st, en = o.Start, o.End
				}
			}
			if conference.Overlaps(st, en, se.Start, se.End) {
				return true
			}
		}
		return false
	}
	if accepted != nil {
		for _, it := range accepted.Plan.Items {
			if it.Fixed || it.SessionID == "" {
				continue
			}
			se, ok := snap.Session(it.SessionID)
			switch {
			case !ok:
				warnings = append(warnings, "“"+it.Title+"” of your plan is no longer in the catalog")
				continue
			case se.Cancelled:
				warnings = append(warnings, "“"+se.Title+"” of your plan was cancelled")
				continue
			case !se.Scheduled() || taken[se.Group()]:
				continue
			}
			taken[se.Group()] = true
			items = append(items, planner.Item{Kind: planner.KindSession, SessionID: se.ID})
		}
		return items, warnings
	}
	for _, w := range in.Wishes {
		se, ok := snap.Session(w.SessionID)
		if !ok || taken[se.Group()] || se.Cancelled || !se.Scheduled() || overlaps(se) {
			continue
		}
		taken[se.Group()] = true
		items = append(items, planner.Item{Kind: planner.KindSession, SessionID: se.ID})
	}
	return items, warnings
}

// asPlan turns agenda items into a plan (for diffs), filled in from the
// conference.
func asPlan(snap *conference.Snapshot, items []planner.Item, prio map[string]string) planner.Plan {
	p := planner.Plan{Items: []planner.PlanItem{}}
	for _, it := range items {
		pi := planner.PlanItem{Item: it, Fixed: it.Kind != planner.KindSession}
		if se, ok := snap.Session(it.SessionID); ok {
			pi.Title, pi.Start, pi.End, pi.RoomID = se.Title, se.Start, se.End, se.RoomID
			if v, ok := snap.VenueOfRoom(se.RoomID); ok {
				pi.VenueID = v.ID
			}
			pi.Group = se.Group()
			pi.Priority = prio[se.Group()]
			pi.NeedsReservation = se.Reservable && !it.Reserved && it.Kind == planner.KindSession
		}
		pi.Day = snap.Day(pi.Start)
		p.Items = append(p.Items, pi)
	}
	slices.SortStableFunc(p.Items, func(a, b planner.PlanItem) int { return a.Start.Compare(b.Start) })
	return p
}

func priorities(snap *conference.Snapshot, wishes []planner.Wish) map[string]string {
	m := map[string]string{}
	for _, w := range wishes {
		if se, ok := snap.Session(w.SessionID); ok {
			if old, ok := m[se.Group()]; !ok || rank(w.Priority) < rank(old) {
				m[se.Group()] = w.Priority
			}
		}
	}
	return m
}

// Week is the analysed agenda of an attendee.
type Week struct {
	planner.Agenda
	// Accepted is the attendee's accepted plan, if any.
	Accepted *Proposal `json:"-"`
	// Pending is the newest proposal made because of a change, not yet
	// accepted or rejected.
	Pending  *Proposal         `json:"-"`
	Priority map[string]string `json:"-"` // by repeat group
	Options  planner.Options   `json:"-"`
}

// Agenda analyses the attendee's current items (see Current), every day.
func (s *Service) Agenda(ctx context.Context, attendeeID string) (Week, error) {
	st, err := s.state()
	if err != nil {
		return Week{}, err
	}
	snap := st.Snap
	in, err := s.gather(ctx, snap, attendeeID)
	if err != nil {
		return Week{}, err
	}
	w := Week{Options: planner.DefaultOptions(), Priority: priorities(snap, in.Wishes)}
	if w.Accepted, err = s.accepted(ctx, attendeeID); err != nil {
		return w, err
	}
	if w.Accepted != nil {
		w.Options = w.Accepted.Options
		w.Options.Unavailable = nil
	}
	if w.Pending, err = s.pending(ctx, attendeeID, w.Accepted); err != nil {
		return w, err
	}
	items, warnings := Current(snap, in, w.Accepted)
	ag, err := planner.Analyze(snap, st.Travel, items, w.Options)
	if err != nil {
		return w, err
	}
	ag.Warnings = append(append(in.Warnings, warnings...), ag.Warnings...)
	for _, d := range ag.Days {
		name := func(i int) string {
			it := d.Items[i]
			return "“" + it.Title + "” (" + snap.Local(it.Start).Format("Mon 15:04") + ")"
		}
		for i, l := range d.Legs {
			switch l.Status {
			case planner.StatusOverlap:
				ag.Warnings = append(ag.Warnings, fmt.Sprintf("%s and %s overlap", name(i), name(i+1)))
			case planner.StatusImpossible:
				ag.Warnings = append(ag.Warnings, fmt.Sprintf("you cannot get from %s to %s in time (%d min late)", name(i), name(i+1), -l.SlackMinutes))
			case planner.StatusSeatLost:
				ag.Warnings = append(ag.Warnings, fmt.Sprintf("you reach %s after your seat is released", name(i+1)))
			}
		}
	}
	w.Agenda = ag
	return w, nil
}

// Day returns the day's part of the week (empty when nothing is planned),
// or an invalid error for a day outside the conference.
func (w Week) Day(snap *conference.Snapshot, day string) (planner.DayAgenda, error) {
	if !slices.Contains(snap.Conf.Days, day) {
		return planner.DayAgenda{}, dayError(snap, day)
	}
	for _, d := range w.Days {
		if d.Date == day {
			return d, nil
		}
	}
	return planner.DayAgenda{Date: day, Items: []planner.Item{}, Legs: []planner.Leg{}}, nil
}

func dayError(snap *conference.Snapshot, day string) error {
	days := snap.Conf.Days
	if len(days) == 0 {
		return errcode.New(errcode.Invalid, "day %q: the conference has no days", day)
	}
	return errcode.New(errcode.Invalid, "day %q is not a day of the conference (%s to %s)", day, days[0], days[len(days)-1])
}

// Items returns the attendee's current items (see Current), each filled in
// from the conference (title, times, room), by start.
func (s *Service) Items(ctx context.Context, attendeeID string) ([]planner.Item, error) {
	m, err := s.mine(ctx, attendeeID)
	if err != nil {
		return nil, err
	}
	snap := m.st.Snap
	out := make([]planner.Item, 0, len(m.items))
	for _, it := range m.items {
		if se, ok := snap.Session(it.SessionID); ok {
			if !se.Scheduled() {
				continue
			}
			it.Title, it.Start, it.End, it.RoomID = se.Title, se.Start, se.End, se.RoomID
		}
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b planner.Item) int { return a.Start.Compare(b.Start) })
	return out, nil
}
