package agenda

import (
	"context"
	"time"

	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

// SessionChanged hears an organizer change (it has the signature of
// reservation.Notifier's method). It never blocks: the change is queued for
// the re-planning goroutine, or dropped with a log line when the queue is
// full.
func (s *Service) SessionChanged(sessionID string, kind reservation.ChangeKind) {
	if kind != reservation.ChangeMoved && kind != reservation.ChangeCancelled {
		return // capacity changes do not move anyone's plan
	}
	select {
	case s.changes <- reservation.Change{SessionID: sessionID, Kind: kind}:
	default:
		s.log.Warn("agenda: re-plan queue full; change not re-planned", "session", sessionID, "kind", kind)
	}
}

// Start re-plans for the attendees a change affects, in the background,
// until Close.
func (s *Service) Start() {
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			case c := <-s.changes:
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				s.replanChange(ctx, c)
				cancel()
			}
		}
	}()
}

// Close stops re-planning (after the attendee in progress).
func (s *Service) Close() {
	s.once.Do(func() {
		close(s.stop)
	})
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

func (s *Service) replanChange(ctx context.Context, c reservation.Change) {
	who, err := s.d.Plans.PlanAttendees(ctx, c.SessionID)
	if err != nil {
		s.log.Error("agenda: finding plans with a changed session", "session", c.SessionID, "err", err)
		return
	}
	for _, attendee := range who {
		p, err := s.Replan(ctx, attendee, Change{SessionID: c.SessionID, Kind: string(c.Kind)})
		if err != nil {
			s.log.Error("agenda: re-planning after a change", "attendee", attendee, "session", c.SessionID, "err", err)
			continue
		}
		if p != nil && s.d.Notify != nil {
			s.d.Notify.PlanChanged(attendee, ChangeNotice{SessionID: c.SessionID, Kind: string(c.Kind), PlanID: p.ID})
		}
	}
}

// Replan proposes a new plan for an attendee whose accepted plan a change
// touched, diffed against that accepted plan (so a moved session shows as
// moved), and stores it. Without an accepted plan it does nothing.
func (s *Service) Replan(ctx context.Context, attendeeID string, c Change) (*Proposal, error) {
	st, err := s.state()
	if err != nil {
		return nil, err
	}
	acc, err := s.accepted(ctx, attendeeID)
	if err != nil || acc == nil {
		return nil, err
	}
	in, err := s.gather(ctx, st.Snap, attendeeID)
	if err != nil {
		return nil, err
	}
	var planned []planner.Wish
	for _, it := range acc.Plan.Items {
		if it.Priority != "" && it.SessionID != "" {
			if _, ok := st.Snap.Session(it.SessionID); ok {
				planned = append(planned, planner.Wish{SessionID: it.SessionID, Priority: it.Priority})
			}
		}
	}
	in.Wishes = mergeWishes(in.Wishes, planned)
	opt := acc.Options
	p, err := s.build(ctx, st, in, opt, acc.Plan)
	if err != nil {
		return nil, err
	}
	p.Change = &c
	if err := s.save(ctx, attendeeID, OriginChange, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
