package seatstate

import (
	"sort"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/live"
)

// Kept is a session that was in the state before Configure, with what it
// was then.
type Kept struct {
	S            *Session
	Prev         *conference.Session
	PrevCapacity int
}

// Configure makes conf the state's conference. Every session of conf gets
// its day, travel room, release instant (start − lead) and reservable
// capacity; a session whose release moved after now is no longer
// released. Sessions new to the state are created and touched, so that
// readers see their capacity at the next Publish. It returns the sessions
// that were there before, with their previous schedule, and those no
// longer in conf (their seats are the caller's to end).
func (st *State) Configure(conf *live.State, lead time.Duration, now time.Time) (kept []Kept, gone []*Session) {
	snap := conf.Snap
	old := st.sessions
	next := make(map[string]*Session, len(snap.Conf.Sessions))
	type before struct {
		s        *Session
		conf     *conference.Session
		day      string
		room     int32
		capacity int
		release  time.Time
		released bool
	}
	var prev []before
	for i := range snap.Conf.Sessions {
		se := &snap.Conf.Sessions[i]
		s := old[se.ID]
		if s == nil {
			s = newSession(se.ID)
			st.Touch(s)
		} else {
			if st.recording {
				prev = append(prev, before{s, s.conf, s.day, s.room, s.capacity, s.release, s.released})
			}
			kept = append(kept, Kept{S: s, Prev: s.conf, PrevCapacity: s.capacity})
		}
		s.conf = se
		s.room = -1
		s.day, s.release, s.capacity = "", time.Time{}, 0
		if se.Scheduled() {
			s.day = snap.Day(se.Start)
			s.release = se.Start.Add(-lead)
			s.capacity = snap.ReservableCapacity(se)
			if ri, ok := conf.Travel.RoomIndex(se.RoomID); ok {
				s.room = ri
			}
		}
		if now.Before(s.release) {
			s.released = false
		}
		next[se.ID] = s
	}
	for id, s := range old {
		if next[id] == nil {
			gone = append(gone, s)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].id < gone[j].id })
	if st.recording {
		oldConf, oldReindex := st.conf, st.reindex
		oldReleases, oldNext := st.releases, st.nextRelease
		st.undo = append(st.undo, func() {
			for _, b := range prev {
				b.s.conf, b.s.day, b.s.room, b.s.capacity, b.s.release, b.s.released = b.conf, b.day, b.room, b.capacity, b.release, b.released
			}
			st.conf, st.sessions, st.reindex = oldConf, old, oldReindex
			st.releases, st.nextRelease = oldReleases, oldNext
		})
	}
	st.conf, st.sessions, st.reindex = conf, next, true
	st.rebuildReleases()
	return kept, gone
}

// rebuildReleases lists the scheduled sessions not yet released by
// release instant (then id), for DueReleases.
func (st *State) rebuildReleases() {
	list := make([]*Session, 0, len(st.sessions))
	for _, s := range st.sessions {
		if s.conf.Scheduled() && !s.released {
			list = append(list, s)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].release.Equal(list[j].release) {
			return list[i].release.Before(list[j].release)
		}
		return list[i].id < list[j].id
	})
	st.releases, st.nextRelease = list, 0
}
