package reservation

import (
	"fmt"
	"slices"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/live"
	"venuehop/internal/reservation/seatstate"
)

// update decides an organizer's change (an edit or an import): the new
// conference is built, the seats follow it in memory, and the batch's ops
// start with OpConference, so that the store saves the revision and its
// seat consequences in one transaction. Readers see the new conference
// only after that commit (finish).
func (q *sequencer) update(r *request, now time.Time) (EditReport, error) {
	cur := q.st.Conference()
	base := cur.Snap.Rev
	if r.baseRev >= 0 && r.baseRev != base {
		return EditReport{}, errcode.New(errcode.Conflict, "the conference changed meanwhile: newest revision is %d, this change was based on %d; reload and retry", base, r.baseRev)
	}
	c := *cur.Snap.Conf
	c.Sessions = slices.Clone(c.Sessions)
	c.Rooms = slices.Clone(c.Rooms)
	warnings, err := r.update(&c, func(id string) (int, int) {
		if s := q.st.Session(id); s != nil {
			return s.Reserved(), s.Held()
		}
		return 0, 0
	})
	if err != nil {
		return EditReport{}, err
	}
	warnings = append(warnings, q.keepConfirmedSeats(&c)...)
	st, err := live.Build(&c, base+1)
	if err != nil {
		return EditReport{}, errcode.Wrap(errcode.Invalid, err, "the change makes the conference invalid: %v", err)
	}
	rep := q.install(st, now)
	q.ops = slices.Insert(q.ops, 0, Op{Kind: OpConference, Conference: &c, Seq: base})
	r.live = st
	rep.Rev = base + 1
	rep.Warnings = append(warnings, rep.Warnings...)
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	return rep, nil
}

// keepConfirmedSeats raises the capacity of every session whose new
// reservable capacity is below its reservations to exactly what is
// reserved: an organizer's change never takes a confirmed seat away.
func (q *sequencer) keepConfirmedSeats(c *conference.Conference) []string {
	rooms := make(map[string]int, len(c.Rooms))
	for _, rm := range c.Rooms {
		rooms[rm.ID] = rm.Capacity
	}
	var warnings []string
	for i := range c.Sessions {
		se := &c.Sessions[i]
		s := q.st.Session(se.ID)
		if s == nil || se.Cancelled || s.Reserved() == 0 {
			continue
		}
		capacity := 0
		if se.Capacity != nil {
			capacity = *se.Capacity
		} else if rc, ok := rooms[se.RoomID]; ok {
			capacity = rc - rc*conference.WalkupPercent(se.Type)/100
		}
		if n := s.Reserved(); capacity < n {
			se.Capacity = &n
			warnings = append(warnings, fmt.Sprintf("session %s: the new capacity %d is below the %d seats reserved; capacity kept at %d so that no confirmed seat is lost", se.ID, capacity, n, n))
		}
	}
	return warnings
}

// install makes conf the engine's conference: sessions are created or
// updated and, unless this is the first conference of a load, seats follow
// the changes — removed and cancelled sessions lose their seats, offers
// beyond a lowered capacity are withdrawn, freed seats are offered.
func (q *sequencer) install(conf *live.State, now time.Time) EditReport {
	rep := EditReport{Changes: []Change{}}
	first := q.st.Conference() == nil
	kept, gone := q.st.Configure(conf, q.e.cfg.ReleaseLead, now)
	if first {
		return rep
	}
	type changed struct {
		s         *seatstate.Session
		kind      ChangeKind
		increased bool
	}
	var list []changed
	for _, k := range kept {
		if kind := changeKind(k.Prev, k.S.Conf(), k.PrevCapacity, k.S.Capacity()); kind != "" {
			list = append(list, changed{s: k.S, kind: kind, increased: k.S.Capacity() > k.PrevCapacity})
			q.touch(k.S)
		}
	}
	for _, s := range gone {
		rep.ReservationsCancelled += q.cancelSession(s, now)
		rep.Changes = append(rep.Changes, Change{s.ID(), ChangeCancelled})
	}
	for _, c := range list {
		s := c.s
		rep.Changes = append(rep.Changes, Change{s.ID(), c.kind})
		switch c.kind {
		case ChangeCancelled:
			rep.ReservationsCancelled += q.cancelSession(s, now)
			continue
		case ChangeMoved:
			for _, a := range s.Holders() {
				if a.ConflictWith(s) != "" {
					rep.Overlaps++
				}
			}
		}
		q.withdrawOverCapacity(s, now)
		if c.increased || c.kind == ChangeMoved {
			rep.OffersMade += q.offerNext(s, now)
		}
	}
	q.changes = append(q.changes, rep.Changes...)
	return rep
}

// withdrawOverCapacity withdraws the offers beyond a lowered capacity,
// newest first; their attendees go back to the head of the waitlist.
func (q *sequencer) withdrawOverCapacity(s *seatstate.Session, now time.Time) {
	for s.Available() < 0 && s.Held() > 0 {
		newest := q.st.NewestOffer(s)
		q.closeOffer(newest, OfferWithdrawn)
		seq := s.FirstSeq(q.st.NextWaitSeq()-1) - 1
		q.st.InsertWaiter(s, newest.Attendee(), seq)
		q.op(Op{Kind: OpWaitAdd, Attendee: newest.Attendee().ID(), SessionID: s.ID(), Seq: seq, At: now})
	}
}

// sessionChanges lists what changed for attendees between two revisions,
// as install reports it for this node's own changes.
func sessionChanges(before, after *conference.Snapshot) []Change {
	var out []Change
	capacity := func(snap *conference.Snapshot, se *conference.Session) int {
		if se == nil || !se.Scheduled() {
			return 0
		}
		return snap.ReservableCapacity(se)
	}
	for i := range before.Conf.Sessions {
		old := &before.Conf.Sessions[i]
		cur, ok := after.Session(old.ID)
		if !ok {
			if !old.Cancelled {
				out = append(out, Change{old.ID, ChangeCancelled})
			}
			continue
		}
		if kind := changeKind(old, cur, capacity(before, old), capacity(after, cur)); kind != "" {
			out = append(out, Change{old.ID, kind})
		}
	}
	return out
}

// changeKind says how a session changed for its attendees: cancelled,
// moved (room or times), capacity, or "" for nothing that matters.
func changeKind(prev, cur *conference.Session, prevCap, curCap int) ChangeKind {
	switch {
	case cur.Cancelled && !prev.Cancelled:
		return ChangeCancelled
	case prev.RoomID != cur.RoomID || !prev.Start.Equal(cur.Start) || !prev.End.Equal(cur.End):
		return ChangeMoved
	case prevCap != curCap:
		return ChangeCapacity
	}
	return ""
}
