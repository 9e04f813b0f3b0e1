package agenda

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

// Origins of a proposal.
const (
	OriginRequest = "request" // the attendee asked (Optimize)
	OriginChange  = "change"  // a session of the accepted plan moved or was cancelled
	OriginReserve = "reserve" // re-planned around the seats "reserve this plan" could not get
)

// States of a stored plan.
const (
	StateProposed   = "proposed"
	StateAccepted   = "accepted"
	StateRejected   = "rejected"
	StateSuperseded = "superseded" // was accepted; another plan is now
)

// StoredPlan is a proposal as a PlanStore keeps it.
type StoredPlan struct {
	ID       string
	Attendee string
	Created  time.Time
	Origin   string
	State    string
	Body     []byte   // the Proposal as JSON
	Sessions []string // the plan's session ids
}

// PlanStore keeps proposals. Every method is scoped by attendee: another
// attendee's plan is errcode.NotFound, exactly like a missing one.
type PlanStore interface {
	SavePlan(ctx context.Context, p StoredPlan) error
	Plan(ctx context.Context, attendeeID, planID string) (StoredPlan, error)
	// AcceptPlan makes the plan the attendee's accepted one (the one
	// accepted before is superseded), atomically, and records its sessions
	// for PlanAttendees.
	AcceptPlan(ctx context.Context, attendeeID, planID string) error
	// RejectPlan marks a proposed plan rejected (an accepted one stays).
	RejectPlan(ctx context.Context, attendeeID, planID string) error
	// AcceptedPlan returns the attendee's accepted plan, if any.
	AcceptedPlan(ctx context.Context, attendeeID string) (StoredPlan, bool, error)
	// LatestProposal returns the newest plan of that origin still proposed.
	LatestProposal(ctx context.Context, attendeeID, origin string) (StoredPlan, bool, error)
	// PlanAttendees lists the attendees whose accepted plan holds a session.
	PlanAttendees(ctx context.Context, sessionID string) ([]string, error)
	// Locks lists the items the attendee locked ("keep this no matter
	// what"), sorted: LockKey of each. SetLock locks or unlocks one,
	// idempotently.
	Locks(ctx context.Context, attendeeID string) ([]string, error)
	SetLock(ctx context.Context, attendeeID, item string, locked bool) error
}

// DroppedJSON is a favourite left out: Reason is a sentence naming the
// blocker, Code the planner's reason code.
type DroppedJSON struct {
	SessionID   string `json:"sessionId"`
	RepeatGroup string `json:"repeatGroup"`
	Priority    string `json:"priority"`
	Reason      string `json:"reason"`
	Code        string `json:"code"`
	Blocker     string `json:"blocker,omitempty"`
}

// Change is the organizer change a proposal answers.
type Change struct {
	SessionID string `json:"sessionId"`
	Kind      string `json:"kind"`
}

// Proposal is a plan the service made: what POST /me/plan returns.
type Proposal struct {
	ID      string           `json:"id"`
	Created time.Time        `json:"createdAt"`
	Origin  string           `json:"origin"`
	State   string           `json:"state"`
	Plan    planner.Plan     `json:"plan"`
	Value   float64          `json:"value"`
	Optimal bool             `json:"optimal"`
	Bound   *float64         `json:"bound,omitempty"`
	Dropped []DroppedJSON    `json:"dropped"`
	Diff    planner.PlanDiff `json:"diff"`
	Options planner.Options  `json:"options"`
	Change  *Change          `json:"change,omitempty"`
}

// Sessions are the session ids of the plan's items.
func (p *Proposal) Sessions() []string {
	var ids []string
	for _, it := range p.Plan.Items {
		if it.SessionID != "" {
			ids = append(ids, it.SessionID)
		}
	}
	return ids
}

func newPlanID() string {
	var b [9]byte
	rand.Read(b[:])
	return "p_" + hex.EncodeToString(b[:])
}

// PlanRequest is the body of POST /me/plan: options (absent fields keep
// their defaults) and, optionally, wishes that replace the favourites for
// this proposal.
type PlanRequest struct {
	Options json.RawMessage `json:"options,omitempty"`
	Wishes  []planner.Wish  `json:"wishes,omitempty"`
}

// ParseOptions decodes options over planner.DefaultOptions() and checks
// them against the conference.
func ParseOptions(snap *conference.Snapshot, raw []byte) (planner.Options, error) {
	opt := planner.DefaultOptions()
	if len(raw) > 0 && string(raw) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opt); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return opt, errcode.New(errcode.Invalid, "options.%s: expected %s, got %s", te.Field, te.Type, te.Value)
			}
			return opt, errcode.New(errcode.Invalid, "options: %v", err)
		}
	}
	if err := opt.Validate(snap); err != nil {
		var ce *errcode.Error
		if errors.As(err, &ce) {
			return opt, errcode.New(errcode.Invalid, "options.%s", ce.Message)
		}
		return opt, err
	}
	return opt, nil
}

// CheckWishes returns an invalid error for a wish naming an unknown session
// or a bad priority.
func CheckWishes(snap *conference.Snapshot, wishes []planner.Wish) error {
	for i, w := range wishes {
		if _, ok := snap.Session(w.SessionID); !ok {
			return errcode.New(errcode.Invalid, "wishes[%d]: unknown session %q", i, w.SessionID)
		}
		if rank(w.Priority) > 2 {
			return errcode.New(errcode.Invalid, "wishes[%d] (%s): priority %q is not must, want or maybe", i, w.SessionID, w.Priority)
		}
	}
	return nil
}

// Build runs the optimizer over inputs and makes a proposal (not stored),
// diffed against base.
func Build(st *live.State, in Inputs, opt planner.Options, base planner.Plan) (Proposal, error) {
	plan, err := planner.Optimize(st.Snap, st.Travel, in.Wishes, in.Fixed, in.Reserved, opt)
	if err != nil {
		return Proposal{}, err
	}
	plan.Warnings = append(slices.Clone(in.Warnings), plan.Warnings...)
	p := Proposal{Plan: plan, Value: plan.Value, Optimal: plan.Optimal, Options: opt, Dropped: []DroppedJSON{},
		Diff: planner.Diff(base, plan)}
	p.Options.Unavailable = nil
	if !plan.Optimal {
		b := plan.Bound
		p.Bound = &b
	}
	for _, d := range plan.Dropped {
		p.Dropped = append(p.Dropped, DroppedJSON{SessionID: d.SessionID, RepeatGroup: d.Group, Priority: d.Priority,
			Reason: d.Message, Code: d.Reason, Blocker: d.Blocker})
	}
	localize(st.Snap, &p)
	return p, nil
}

// localize writes every time of a proposal in the conference's zone.
func localize(snap *conference.Snapshot, p *Proposal) {
	loc := func(items []planner.PlanItem) {
		for i := range items {
			items[i].Start, items[i].End = snap.Local(items[i].Start), snap.Local(items[i].End)
		}
	}
	loc(p.Plan.Items)
	loc(p.Diff.Added)
	loc(p.Diff.Removed)
	for i := range p.Diff.Moved {
		m := &p.Diff.Moved[i]
		m.From.Start, m.From.End = snap.Local(m.From.Start), snap.Local(m.From.End)
		m.To.Start, m.To.End = snap.Local(m.To.Start), snap.Local(m.To.End)
	}
	p.Created = snap.Local(p.Created)
}

// Propose makes a new proposal for the attendee and stores it.
func (s *Service) Propose(ctx context.Context, attendeeID string, req PlanRequest) (Proposal, error) {
	st, err := s.state()
	if err != nil {
		return Proposal{}, err
	}
	opt, err := ParseOptions(st.Snap, req.Options)
	if err != nil {
		return Proposal{}, err
	}
	if err := CheckWishes(st.Snap, req.Wishes); err != nil {
		return Proposal{}, err
	}
	if err := s.quota.take(attendeeID, time.Now()); err != nil {
		return Proposal{}, err
	}
	in, err := s.gather(ctx, st.Snap, attendeeID)
	if err != nil {
		return Proposal{}, err
	}
	if req.Wishes != nil {
		in.Wishes = req.Wishes
	}
	accepted, err := s.accepted(ctx, attendeeID)
	if err != nil {
		return Proposal{}, err
	}
	items, _ := Current(st.Snap, in, accepted)
	base := asPlan(st.Snap, items, priorities(st.Snap, in.Wishes))
	p, err := s.build(ctx, st, in, opt, base)
	if err != nil {
		return Proposal{}, err
	}
	return p, s.save(ctx, attendeeID, OriginRequest, &p)
}

// build runs Build in one of the service's slots.
func (s *Service) build(ctx context.Context, st *live.State, in Inputs, opt planner.Options, base planner.Plan) (Proposal, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return Proposal{}, errcode.Wrap(errcode.Unavailable, ctx.Err(), "planning is busy; try again in a moment")
	case <-time.After(5 * time.Second):
		return Proposal{}, errcode.New(errcode.Unavailable, "planning is busy; try again in a moment")
	}
	defer func() { <-s.slots }()
	if opt.TimeLimit == 0 {
		opt.TimeLimit = s.d.TimeLimit
	}
	opt.NoSeats = s.noSeats(st.Snap, in)
	return Build(st, in, opt, base)
}

// noSeats lists the other sittings of the attendee's reservations that have
// no seat to move to (full, closed, unknown to the engine): the planner
// may move a reservation only where a seat is free.
func (s *Service) noSeats(snap *conference.Snapshot, in Inputs) map[string]bool {
	out := map[string]bool{}
	now := s.d.Clock.Now()
	for _, f := range in.Fixed {
		se, ok := snap.Session(f.SessionID)
		if f.Kind != planner.KindReservation || f.Locked || !ok {
			continue
		}
		for _, sit := range snap.Sittings(se.Group()) {
			if sit.ID == se.ID || !sit.Reservable {
				continue
			}
			if s.d.Seats == nil {
				out[sit.ID] = true
				continue
			}
			c, ok := s.d.Seats.Count(sit.ID)
			if !ok || c.Available() <= 0 || !now.Before(c.Release) {
				out[sit.ID] = true
			}
		}
	}
	return out
}

func (s *Service) save(ctx context.Context, attendeeID, origin string, p *Proposal) error {
	p.ID, p.Origin, p.State = newPlanID(), origin, StateProposed
	p.Created = s.d.Clock.Now()
	if snap := s.d.Live.Load(); snap != nil {
		p.Created = snap.Snap.Local(p.Created)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.d.Plans.SavePlan(ctx, StoredPlan{ID: p.ID, Attendee: attendeeID, Created: p.Created, Origin: origin,
		State: StateProposed, Body: body, Sessions: p.Sessions()})
}

func decode(sp StoredPlan) (*Proposal, error) {
	var p Proposal
	if err := json.Unmarshal(sp.Body, &p); err != nil {
		return nil, fmt.Errorf("stored plan %s: %w", sp.ID, err)
	}
	p.ID, p.Origin, p.State = sp.ID, sp.Origin, sp.State
	return &p, nil
}

// Proposal returns one of the attendee's stored plans.
func (s *Service) Proposal(ctx context.Context, attendeeID, planID string) (*Proposal, error) {
	sp, err := s.d.Plans.Plan(ctx, attendeeID, planID)
	if err != nil {
		return nil, err
	}
	return decode(sp)
}

func (s *Service) accepted(ctx context.Context, attendeeID string) (*Proposal, error) {
	sp, ok, err := s.d.Plans.AcceptedPlan(ctx, attendeeID)
	if err != nil || !ok {
		return nil, err
	}
	return decode(sp)
}

// pending is the newest change proposal made after the accepted plan.
func (s *Service) pending(ctx context.Context, attendeeID string, accepted *Proposal) (*Proposal, error) {
	sp, ok, err := s.d.Plans.LatestProposal(ctx, attendeeID, OriginChange)
	if err != nil || !ok {
		return nil, err
	}
	p, err := decode(sp)
	if err != nil || (accepted != nil && p.Created.Before(accepted.Created)) {
		return nil, err
	}
	return p, nil
}

// Reject sets a proposal aside.
func (s *Service) Reject(ctx context.Context, attendeeID, planID string) error {
	return s.d.Plans.RejectPlan(ctx, attendeeID, planID)
}

// ReserveOutcome is the answer to "reserve this plan".
type ReserveOutcome struct {
	Results []reservation.Result `json:"results"`
	// Moved and MoveFailed are the plan's seat moves (see Accept).
	Moved      []SeatMove `json:"moved"`
	MoveFailed []SeatMove `json:"moveFailed"`
	// Released are seats reserved by this request and given back because
	// the plan made around a failed sitting no longer holds them.
	Released []string `json:"released"`
	Proposal Proposal `json:"proposal"`
}

// failedSeat reports whether a reservation status means the sitting cannot
// be had with a seat, so the plan should move to another sitting.
func failedSeat(st reservation.Status) bool {
	switch st {
	case reservation.Full, reservation.Closed, reservation.Cancelled, reservation.Unknown:
		return true
	}
	return false
}

// maxReserveRounds bounds "reserve, re-plan around failures, reserve the
// backups" (each round reserves only sittings not tried before).
const maxReserveRounds = 3

// ReservePlan reserves every sitting of a stored plan that needs a
// reservation, in batches of reservation.MaxBatch, then re-plans around the
// sittings whose seats could not be had (the planner takes the next-best
// sitting, the backup) and reserves those in turn. The final plan is
// stored and accepted.
func (s *Service) ReservePlan(ctx context.Context, attendeeID, planID string) (ReserveOutcome, error) {
	out := ReserveOutcome{Results: []reservation.Result{}, Released: []string{}}
	if s.d.Seats == nil {
		return out, errcode.New(errcode.Unavailable, "reservations are not available")
	}
	cur, err := s.Proposal(ctx, attendeeID, planID)
	if err != nil {
		return out, err
	}
	st, err := s.state()
	if err != nil {
		return out, err
	}
	opt := cur.Options
	opt.Unavailable = map[string]string{}
	r := &planSeats{s: s, attendeeID: attendeeID, snap: st.Snap, opt: &opt, out: &out,
		tried: map[string]bool{}, made: map[string]bool{}}
	tried := r.tried
	// The plan's repairs first: its seats move (or go) as on Accept.
	moves := AcceptOutcome{}
	if err := s.applyRepairs(ctx, attendeeID, cur.Plan.Repairs, &moves); err != nil {
		return out, err
	}
	out.Moved, out.MoveFailed = append([]SeatMove{}, moves.Moved...), append([]SeatMove{}, moves.Failed...)
	out.Released = append(out.Released, moves.Released...)
	for _, m := range moves.Moved {
		tried[m.To] = true
	}
	for _, m := range moves.Failed {
		tried[m.To] = true
		opt.Unavailable[m.To] = "no seat could be had when your seat was to move there"
	}
	plan := cur.Plan
	var wishes []planner.Wish
	for _, it := range plan.Items {
		if it.Priority != "" && it.SessionID != "" {
			wishes = append(wishes, planner.Wish{SessionID: it.SessionID, Priority: it.Priority})
		}
	}
	for round := 0; round < maxReserveRounds; round++ {
		var ids []string
		for _, it := range plan.Items {
			if it.NeedsReservation && !tried[it.SessionID] {
				ids = append(ids, it.SessionID)
				tried[it.SessionID] = true
			}
		}
		if len(ids) == 0 || r.limited {
			break
		}
		if err := r.reserve(ctx, ids); err != nil {
			return out, err
		}
		p, err := r.replan(ctx, st, wishes, cur.Plan)
		if err != nil {
			return out, err
		}
		out.Proposal = p
		plan = p.Plan
		// Give back the seats just taken that the new plan does not hold,
		// before reserving its new sittings (they may overlap).
		r.giveBack(ctx, plan)
	}
	if out.Proposal.Plan.Items == nil && len(moves.Failed) == 0 { // nothing needed a seat
		out.Proposal = *cur
		if len(moves.Moved)+len(moves.Released) > 0 {
			if err := s.d.Plans.AcceptPlan(ctx, attendeeID, cur.ID); err != nil {
				return out, err
			}
			out.Proposal.State = StateAccepted
		}
		return out, nil
	}
	if out.Proposal.Plan.Items == nil { // only failed moves: plan again around them
		if out.Proposal, err = r.replan(ctx, st, wishes, cur.Plan); err != nil {
			return out, err
		}
	}
	slices.Sort(out.Released)
	if err := s.save(ctx, attendeeID, OriginReserve, &out.Proposal); err != nil {
		return out, err
	}
	if err := s.d.Plans.AcceptPlan(ctx, attendeeID, out.Proposal.ID); err != nil {
		return out, err
	}
	out.Proposal.State = StateAccepted
	return out, nil
}

// planSeats is what one ReservePlan has done to the attendee's seats so
// far: the sittings tried, the seats it took, whether the engine said
// "slow down".
type planSeats struct {
	s          *Service
	attendeeID string
	snap       *conference.Snapshot
	opt        *planner.Options // its Unavailable collects the sittings that failed
	out        *ReserveOutcome
	tried      map[string]bool
	made       map[string]bool // reserved by this request
	limited    bool
}

// reserve asks for the sittings ids in batches; after a rate limit the
// rest are answered rate_limited without asking.
func (r *planSeats) reserve(ctx context.Context, ids []string) error {
	for batch := range slices.Chunk(ids, reservation.MaxBatch) {
		if !r.limited {
			ans, err := r.s.d.Seats.Reserve(ctx, r.attendeeID, batch, "")
			if errcode.Of(err) != errcode.RateLimited {
				if err != nil {
					return err
				}
				r.record(ans.Results)
				continue
			}
			r.limited = true
		}
		for _, id := range batch {
			r.out.Results = append(r.out.Results, reservation.Result{SessionID: id, Status: "rate_limited"})
		}
	}
	return nil
}

// record keeps the engine's answers, in the conference's time zone.
func (r *planSeats) record(results []reservation.Result) {
	for _, res := range results {
		if res.OpensAt != nil {
			t := r.snap.Local(*res.OpensAt)
			res.OpensAt = &t
		}
		r.out.Results = append(r.out.Results, res)
		if res.Status == reservation.Reserved {
			r.made[res.SessionID] = true
		}
		if failedSeat(res.Status) {
			r.opt.Unavailable[res.SessionID] = "no seat could be reserved (" + string(res.Status) + ")"
		}
	}
}

// replan plans again with the seats reserved so far fixed and the failed
// sittings out; the wishes are the favourites and the plan's contents.
// Seats taken by this request are held but not fixed: a must whose sitting
// failed may move onto the time of a want just reserved, whose seat is
// then given back.
func (r *planSeats) replan(ctx context.Context, st *live.State, wishes []planner.Wish, base planner.Plan) (Proposal, error) {
	in, err := r.s.gather(ctx, st.Snap, r.attendeeID)
	if err != nil {
		return Proposal{}, err
	}
	in.Wishes = mergeWishes(in.Wishes, wishes)
	in.Fixed = slices.DeleteFunc(in.Fixed, func(f planner.Fixed) bool { return r.made[f.SessionID] })
	return r.s.build(ctx, st, in, *r.opt, base)
}

// giveBack cancels the seats this request took that plan no longer holds.
func (r *planSeats) giveBack(ctx context.Context, plan planner.Plan) {
	kept := map[string]bool{}
	for _, it := range plan.Items {
		kept[it.SessionID] = true
	}
	for id := range r.made {
		if kept[id] {
			continue
		}
		if err := r.s.d.Seats.Cancel(ctx, r.attendeeID, id); err != nil {
			r.s.log.Warn("agenda: giving back a seat the new plan does not need", "session", id, "err", err)
			continue
		}
		delete(r.made, id)
		r.out.Released = append(r.out.Released, id)
	}
}

// mergeWishes adds the plan's contents to the favourites (a content the
// plan holds but the favourites no longer name is still wished).
func mergeWishes(favs, plan []planner.Wish) []planner.Wish {
	out := slices.Clone(favs)
	seen := map[string]bool{}
	for _, w := range favs {
		seen[w.SessionID] = true
	}
	for _, w := range plan {
		if !seen[w.SessionID] {
			out = append(out, w)
		}
	}
	return out
}
