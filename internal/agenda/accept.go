package agenda

import (
	"context"
	"slices"

	"venuehop/internal/errcode"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

// SeatMove is one reservation a plan moves to another sitting.
type SeatMove struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Status is the engine's answer for the new sitting when the move
	// failed (full, closed, conflict, ...); empty when it moved.
	Status reservation.Status `json:"status,omitempty"`
}

// AcceptOutcome is the answer to accepting a plan.
type AcceptOutcome struct {
	Proposal *Proposal `json:"-"`
	// Moved are the seats moved, Failed those that could not move (the
	// old seat is kept), Released the seats given up because the plan
	// drops them.
	Moved    []SeatMove `json:"moved"`
	Failed   []SeatMove `json:"failed"`
	Released []string   `json:"released"`
	// Replan, when a move failed, is the plan made again around the seats
	// as they are now: stored as a proposal, not accepted.
	Replan *Proposal `json:"replan,omitempty"`
}

// Accept makes a stored proposal the attendee's plan. The seats its repairs
// move go through the reservation engine first, in one batch: each new
// sitting is reserved before the old seat is given back, so a move that
// fails keeps the old seat. When every move succeeded the plan is
// accepted; otherwise nothing is accepted and the plan is made again
// around the seats as they now are (AcceptOutcome.Replan).
func (s *Service) Accept(ctx context.Context, attendeeID, planID string) (AcceptOutcome, error) {
	out := AcceptOutcome{Moved: []SeatMove{}, Failed: []SeatMove{}, Released: []string{}}
	p, err := s.Proposal(ctx, attendeeID, planID)
	if err != nil {
		return out, err
	}
	out.Proposal = p
	if p.State != StateAccepted {
		if err := s.applyRepairs(ctx, attendeeID, p.Plan.Repairs, &out); err != nil {
			return out, err
		}
	}
	if len(out.Failed) == 0 {
		if err := s.d.Plans.AcceptPlan(ctx, attendeeID, planID); err != nil {
			return out, err
		}
		p.State = StateAccepted
		return out, nil
	}
	m, err := s.mine(ctx, attendeeID)
	if err != nil {
		return out, err
	}
	opt := p.Options
	opt.Unavailable = map[string]string{}
	for _, f := range out.Failed {
		opt.Unavailable[f.To] = "no seat could be had when your seat was to move there"
	}
	np, err := s.build(ctx, m.st, m.in, opt, asPlan(m.st.Snap, m.items, priorities(m.st.Snap, m.in.Wishes)))
	if err != nil {
		return out, err
	}
	if err := s.save(ctx, attendeeID, OriginRequest, &np); err != nil {
		return out, err
	}
	out.Replan = &np
	return out, nil
}

// applyRepairs moves and gives back the seats of a plan's repairs.
func (s *Service) applyRepairs(ctx context.Context, attendeeID string, repairs []planner.Repair, out *AcceptOutcome) error {
	var moves []SeatMove
	var drops []string
	for _, r := range repairs {
		if r.From.Kind != planner.KindReservation || r.From.SessionID == "" {
			continue
		}
		switch {
		case r.Kind == planner.RepairMove && r.To != nil:
			moves = append(moves, SeatMove{From: r.From.SessionID, To: r.To.SessionID})
		case r.Kind == planner.RepairDrop:
			drops = append(drops, r.From.SessionID)
		}
	}
	if len(moves)+len(drops) == 0 {
		return nil
	}
	if s.d.Seats == nil {
		return errcode.New(errcode.Unavailable, "reservations are not available, so the plan's seats cannot move")
	}
	giveBack := func(id string) error {
		err := s.d.Seats.Cancel(ctx, attendeeID, id)
		if err == nil || errcode.Is(err, errcode.NotFound) || errcode.Is(err, errcode.Conflict) {
			return nil // gone already, or released to the walk-up line
		}
		return err
	}
	// Reserve every new sitting in one batch; a seat is given back only
	// once its replacement is held.
	releasing := map[string]bool{}
	for _, id := range drops {
		releasing[id] = true
	}
	for _, m := range moves {
		releasing[m.From] = true
	}
	results, err := s.reserveAll(ctx, attendeeID, moves)
	if err != nil {
		return err
	}
	var retry []SeatMove
	for i, m := range moves {
		switch r := results[i]; {
		case r.Status == reservation.Reserved || r.Status == reservation.Already:
			out.Moved = append(out.Moved, m)
		case r.Status == reservation.Conflict && releasing[r.ConflictWith]:
			// It clashes with a seat this plan gives back: try again once
			// those are released.
			retry = append(retry, m)
		default:
			m.Status = r.Status
			out.Failed = append(out.Failed, m)
		}
	}
	for _, m := range out.Moved {
		if err := giveBack(m.From); err != nil {
			return err
		}
	}
	for _, id := range drops {
		if err := giveBack(id); err != nil {
			return err
		}
		out.Released = append(out.Released, id)
	}
	if len(retry) > 0 {
		results, err := s.reserveAll(ctx, attendeeID, retry)
		if err != nil {
			return err
		}
		for i, m := range retry {
			if st := results[i].Status; st != reservation.Reserved && st != reservation.Already {
				m.Status = st
				out.Failed = append(out.Failed, m)
				continue
			}
			if err := giveBack(m.From); err != nil {
				return err
			}
			out.Moved = append(out.Moved, m)
		}
	}
	slices.Sort(out.Released)
	return nil
}

// reserveAll reserves the moves' new sittings, in batches of
// reservation.MaxBatch, and returns the result of each move.
func (s *Service) reserveAll(ctx context.Context, attendeeID string, moves []SeatMove) ([]reservation.Result, error) {
	var results []reservation.Result
	for batch := range slices.Chunk(moves, reservation.MaxBatch) {
		ids := make([]string, len(batch))
		for i, m := range batch {
			ids[i] = m.To
		}
		ans, err := s.d.Seats.Reserve(ctx, attendeeID, ids, "")
		if err != nil {
			return nil, err
		}
		results = append(results, ans.Results...)
	}
	return results, nil
}
