package agenda

import (
	"context"
	"time"

	"venuehop/internal/notify"
)

// Departure is the leg into sessionID in the attendee's current agenda
// (the accepted plan, reservations and blocks, as My week shows it): when
// to leave the item before it and how. ok is false when the session is
// not in the agenda, is the day's first item, or its leg has no leave-by
// (a place unknown, or it cannot be reached in time). It is the
// notify.DepartureFinder of the "leave now" notices.
func (s *Service) Departure(ctx context.Context, attendeeID, sessionID string) (notify.Departure, bool, error) {
	w, err := s.Agenda(ctx, attendeeID)
	if err != nil {
		return notify.Departure{}, false, err
	}
	st, err := s.state()
	if err != nil {
		return notify.Departure{}, false, err
	}
	snap := st.Snap
	for _, d := range w.Days {
		for i, leg := range d.Legs {
			it := d.Items[i+1]
			if it.SessionID != sessionID || leg.LeaveBy.IsZero() {
				continue
			}
			dep := notify.Departure{SessionID: it.SessionID, Title: it.Title, Start: snap.Local(it.Start),
				LeaveBy: snap.Local(leg.LeaveBy), Minutes: leg.Minutes, Mode: leg.Mode, Until: snap.Local(it.Start)}
			if it.Reserved {
				dep.Until = dep.Start.Add(-time.Duration(w.Options.ReleaseLeadMinutes) * time.Minute)
			}
			if r, ok := snap.Room(it.RoomID); ok {
				dep.Where = r.Name
				if r.Level != "" {
					dep.Where += ", " + r.Level
				}
				if v, ok := snap.Venue(r.VenueID); ok {
					dep.Where += ", " + v.Name
				}
			}
			return dep, true, nil
		}
	}
	return notify.Departure{}, false, nil
}
