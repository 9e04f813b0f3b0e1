// Package importer is the one path a conference file takes into the store,
// used by `venuehop import` and by the organizer's upload (API and page).
// A re-import is an update: sessions are matched to the stored ones by
// their stable id (code, guid, frab id or the CSV's content id), the
// difference is reported as added / changed / removed, and the change is
// applied through the reservation engine, so seats follow exactly as they
// do for an organizer's edit:
//
//   - a session that moved (time or room) keeps its reservations,
//     favourites and waitlist; a reservation that now overlaps another one
//     of the same attendee is kept and reported (never dropped silently),
//     and a room too small for the seats already reserved keeps them (the
//     session's capacity is raised to what is reserved, with a warning);
//   - a removed or newly cancelled session cancels its reservations,
//     waitlist places and offers; attendees get a `change` event
//     (cancelled or moved) on the event stream and see the status in their
//     reservations.
//
// A dry run computes the same summary, seat consequences included, from
// the same data and changes nothing.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
)

// DefaultMaxBytes is the largest file an import accepts, over HTTP and
// from the command line alike: the readers' own limit, so that an upload
// is refused at the door, with the same number, instead of after it was
// buffered.
const DefaultMaxBytes = formats.MaxFileBytes

// maxChanges bounds the per-session list in a summary (a first import of
// a big catalog adds thousands); the counts are always complete.
const maxChanges = 500

// SeatReader reads the stored seat state for a dry run's consequences.
type SeatReader interface {
	LoadSeats(ctx context.Context, since time.Time) (*reservation.Stored, error)
}

// Importer applies imports to one store.
type Importer struct {
	// Live is the conference being served (or, for the command line, the
	// stored one); it may hold nothing when the store is empty.
	Live *live.Holder
	// Engine applies a re-import with its seat consequences. Nil only
	// when nothing is stored yet (then Store saves the first revision).
	Engine *reservation.Engine
	Store  store.ConferenceStore
	// Seats gives a summary its seat consequences; nil: none reported.
	Seats SeatReader
	// MaxBytes bounds a file (DefaultMaxBytes when 0).
	MaxBytes int64
}

// Limit is the size limit in force.
func (im *Importer) Limit() int64 {
	if im.MaxBytes > 0 {
		return im.MaxBytes
	}
	return DefaultMaxBytes
}

// TooLarge is the error for a file over the limit; its message states it.
func TooLarge(limit int64) error {
	return errcode.New(errcode.TooLarge, "the file is larger than the import limit of %s", FormatBytes(limit))
}

// FormatBytes writes a size for people: 64 MB, 10 KB, 512 bytes.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Options say what to import and how.
type Options struct {
	// Format is auto (or empty), json, csv, frab or c3voc.
	Format string
	// TimeZone is the IANA zone for a file that names none.
	TimeZone string
	// Venues maps room names to venues (--venues FILE).
	Venues *formats.VenueMap
	// Name is the file name, for messages and for a CSV's conference name
	// on a first import.
	Name string
	// DryRun computes the summary and changes nothing.
	DryRun bool
	// BaseRev, when > 0, is the revision the caller saw (the dry run the
	// organizer approved): if the conference changed since, nothing is
	// applied and the error is errcode.Conflict.
	BaseRev int64
	// Travel is the venue pack and timetable to apply (venues.go).
	Travel TravelOptions
	// DST chooses the instant of a local time that happens twice or never
	// (formats.DSTEarlier or DSTLater); empty makes it an error.
	DST string
	// Confirm applies an import whose summary asks for a confirmation
	// (model parts dropped, more than a tenth of the sessions removed).
	Confirm bool
	// AllowRemoveAll applies an import that removes every stored session.
	AllowRemoveAll bool
}

// RemovalShare is the share of stored sessions a re-import may remove
// without an explicit confirmation (Options.Confirm).
const RemovalShare = 0.10

// Problem is one error or warning, located: File with Line and Column for
// CSV and XML, or Path as a JSON path (native and c3voc JSON, and rules
// checked on the whole conference). Message names the field and what was
// expected.
type Problem struct {
	Path    string `json:"path,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// SessionChange is one session the import adds, changes or removes.
type SessionChange struct {
	SessionID string `json:"sessionId"`
	Title     string `json:"title"`
	// Kind is added, changed (any field), moved (time or room), cancelled
	// (the file marks it cancelled) or removed (not in the file).
	Kind string `json:"kind"`
	// Fields are the changed fields' names (native JSON names).
	Fields []string `json:"fields,omitempty"`
	// Reserved is how many active reservations the session holds now.
	Reserved int `json:"reserved,omitempty"`
}

// Seats are an import's consequences for seats.
type Seats struct {
	// ReservationsCancelled: active reservations of removed or cancelled
	// sessions, cancelled by the import.
	ReservationsCancelled int `json:"reservationsCancelled"`
	// WaitlistCleared and OffersWithdrawn: the same sessions' waitlist
	// places and open offers.
	WaitlistCleared int `json:"waitlistCleared"`
	OffersWithdrawn int `json:"offersWithdrawn"`
	// ReservationsKept: reservations of sessions that moved; they stay.
	ReservationsKept int `json:"reservationsKept"`
	// Overlaps: kept reservations that now overlap another reservation of
	// the same attendee (the attendee is told and sees it in the agenda).
	Overlaps int `json:"overlaps"`
	// AttendeesAffected: attendees with a cancelled or moved seat, place
	// or offer; each gets a change event.
	AttendeesAffected int `json:"attendeesAffected"`
}

// Counts are added / changed / removed numbers of venues or rooms.
type Counts struct {
	Added   int `json:"added"`
	Changed int `json:"changed"`
	Removed int `json:"removed"`
}

// Consequences open the report: what the import does to the conference
// and to people, in a few numbers.
type Consequences struct {
	SessionsAdded   int `json:"sessionsAdded"`
	SessionsChanged int `json:"sessionsChanged"`
	SessionsRemoved int `json:"sessionsRemoved"`
	SeatsCancelled  int `json:"seatsCancelled"`
	AttendeesTold   int `json:"attendeesTold"`
	// ModelPartsDropped counts Summary.Dropped.
	ModelPartsDropped int `json:"modelPartsDropped"`
	// NeedsConfirmation lists why Apply needs Options.Confirm (empty: it
	// does not); RemovesAll: the import removes every stored session and
	// needs Options.AllowRemoveAll.
	NeedsConfirmation []string `json:"needsConfirmation"`
	RemovesAll        bool     `json:"removesAll"`
}

// Summary is the report of an import or a dry run.
type Summary struct {
	Consequences Consequences `json:"consequences"`

	File    string `json:"file"`
	Format  string `json:"format"`
	DryRun  bool   `json:"dryRun"`
	Applied bool   `json:"applied"`
	// BaseRev is the revision the import was compared with (0: none
	// stored); Rev the revision it created when applied.
	BaseRev      int64  `json:"baseRev"`
	Rev          int64  `json:"rev,omitempty"`
	ConferenceID string `json:"conferenceId,omitempty"`
	Name         string `json:"name,omitempty"`
	// Sessions, VenueCount and RoomCount are what the file holds.
	Sessions   int `json:"sessions"`
	VenueCount int `json:"venueCount"`
	RoomCount  int `json:"roomCount"`
	// Added, Changed and Removed count sessions (the API's names).
	Added   int             `json:"added"`
	Changed int             `json:"changed"`
	Removed int             `json:"removed"`
	Changes []SessionChange `json:"changes"`
	// ChangesTruncated says Changes lists only the first maxChanges.
	ChangesTruncated bool   `json:"changesTruncated,omitempty"`
	Venues           Counts `json:"venues"`
	Rooms            Counts `json:"rooms"`
	Seats            Seats  `json:"seats"`
	// Dropped names each stored item the import drops because it refers
	// to a venue or room the file removed (a travel model entrance, a
	// meal, an overflow room).
	Dropped  []string  `json:"dropped"`
	Warnings []Problem `json:"warnings"`
	Errors   []Problem `json:"errors"`
	// Travel is what a venue pack and timetable did, or the pack proposed.
	Travel TravelSummary `json:"travel"`
}

// Import reads a file and, unless opt.DryRun, applies it. It returns the
// summary, and an error when nothing was applied for a reason other than a
// dry run: an *formats.ImportError for a file with problems (the summary's
// Errors list them all), errcode.TooLarge, errcode.Conflict when the
// conference changed meanwhile, or the engine's error. Nothing is applied
// unless the error is nil.
func (im *Importer) Import(ctx context.Context, r io.Reader, opt Options) (*Summary, error) {
	name := opt.Name
	if name == "" {
		name = "upload"
	}
	sum := &Summary{File: name, DryRun: opt.DryRun, Changes: []SessionChange{}, Dropped: []string{}, Warnings: []Problem{}, Errors: []Problem{},
		Consequences: Consequences{NeedsConfirmation: []string{}}}
	data, err := im.read(r, name)
	if err != nil {
		return sum, err
	}
	res, err := parse(sum, data, opt)
	if err != nil {
		return sum, err
	}
	c := res.Conf
	old, err := im.onCurrent(sum, res, opt)
	if err != nil {
		return sum, err
	}
	if err := applyTravel(sum, c, old, opt); err != nil {
		return sum, err
	}
	sum.ConferenceID, sum.Name = c.ID, c.Name
	sum.Sessions, sum.VenueCount, sum.RoomCount = len(c.Sessions), len(c.Venues), len(c.Rooms)

	var stored *reservation.Stored
	if old != nil && im.Seats != nil {
		if stored, err = im.Seats.LoadSeats(ctx, time.Now()); err != nil {
			return sum, err
		}
	}
	diff(sum, old, c, stored)
	consequences(sum, old)

	if opt.DryRun {
		return sum, nil
	}
	if err := confirmed(sum, opt); err != nil {
		return sum, err
	}
	return sum, im.apply(ctx, sum, old, c)
}

// read reads the whole upload, within the import size limit.
func (im *Importer) read(r io.Reader, name string) ([]byte, error) {
	limit := im.Limit()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, TooLarge(min(limit, mbe.Limit))
		}
		return nil, errcode.Wrap(errcode.Invalid, err, "cannot read %s: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, TooLarge(limit)
	}
	return data, nil
}

// parse reads data in its format (detected unless opt names it) and puts
// the file's problems into sum, located.
func parse(sum *Summary, data []byte, opt Options) (*formats.Result, error) {
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" || format == formats.FormatAuto {
		format = formats.DetectFormat(data)
	}
	sum.Format = format
	res, err := formats.ReadResult(bytes.NewReader(data), formats.ReadOptions{
		Format: format, TimeZone: opt.TimeZone, Venues: venueMap(opt), Name: sum.File, DST: opt.DST})
	var ie *formats.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			if p.Warning {
				sum.Warnings = append(sum.Warnings, locate(sum.File, p))
			} else {
				sum.Errors = append(sum.Errors, locate(sum.File, p))
			}
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	for _, p := range res.Warnings {
		sum.Warnings = append(sum.Warnings, locate(sum.File, p))
	}
	return res, nil
}

// onCurrent sets the new conference against the current one, if any (its
// revision, what the file cannot carry kept, what refers to removed
// places dropped) and returns the current one.
func (im *Importer) onCurrent(sum *Summary, res *formats.Result, opt Options) (*conference.Conference, error) {
	cur := im.Live.Load()
	if cur == nil {
		return nil, nil
	}
	old := cur.Snap.Conf
	sum.BaseRev = cur.Snap.Rev
	if opt.BaseRev > 0 && opt.BaseRev != cur.Snap.Rev {
		return nil, errcode.New(errcode.Conflict,
			"the conference changed since this file was checked (revision %d, now %d): nothing was applied; check the file again", opt.BaseRev, cur.Snap.Rev)
	}
	if sum.Format == formats.FormatCSV {
		for _, w := range pairByContent(old, res.Conf) {
			sum.Warnings = append(sum.Warnings, Problem{File: sum.File, Message: w})
		}
	}
	k := keep(res.Conf, old, sum.Format, res.Carried) // keep.go
	for _, w := range k.notes {
		sum.Warnings = append(sum.Warnings, Problem{File: sum.File, Message: w})
	}
	sum.Dropped = append(sum.Dropped, k.dropped...)
	return old, nil
}

// apply stores c: as the first conference directly, otherwise through the
// seat engine, whose numbers then replace the preview's (a reservation may
// have come or gone between the two).
func (im *Importer) apply(ctx context.Context, sum *Summary, old, c *conference.Conference) error {
	if old == nil || im.Engine == nil {
		if old != nil {
			return errcode.New(errcode.Unavailable, "the reservation engine is not running; nothing was applied")
		}
		rev, err := im.Store.SaveConference(ctx, c, 0)
		if err != nil {
			return err
		}
		st, err := live.Build(c, rev)
		if err != nil {
			return err
		}
		im.Live.Store(st)
		sum.Applied, sum.Rev = true, rev
		return nil
	}
	rep, err := im.Engine.ApplyConference(ctx, c, sum.BaseRev)
	if err != nil {
		return err
	}
	sum.Applied, sum.Rev = true, rep.Rev
	sum.Seats.ReservationsCancelled = rep.ReservationsCancelled
	sum.Consequences.SeatsCancelled = rep.ReservationsCancelled
	sum.Seats.Overlaps = rep.Overlaps
	sum.Warnings = slices.DeleteFunc(sum.Warnings, func(p Problem) bool { return p.Path == seatWarningPath })
	for _, w := range rep.Warnings {
		sum.Warnings = append(sum.Warnings, Problem{Path: seatWarningPath, Message: w})
	}
	return nil
}

// seatWarningPath marks warnings about seats (not about the file).
const seatWarningPath = "seats"

var locRE = regexp.MustCompile(`^(.*?):(\d+)(?::(\d+))?$`)

// locate splits a formats problem's path into file, line and column
// ("file.csv:4:21"), or keeps it as a JSON path.
func locate(name string, p conference.Problem) Problem {
	out := Problem{Path: p.Path, File: name, Message: p.Message}
	if m := locRE.FindStringSubmatch(p.Path); m != nil {
		out.File = m[1]
		out.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			out.Column, _ = strconv.Atoi(m[3])
		}
	}
	return out
}

// consequences fills the summary's opening numbers and says whether
// applying it needs a confirmation.
func consequences(sum *Summary, old *conference.Conference) {
	c := &sum.Consequences
	c.SessionsAdded, c.SessionsChanged, c.SessionsRemoved = sum.Added, sum.Changed, sum.Removed
	c.SeatsCancelled, c.AttendeesTold = sum.Seats.ReservationsCancelled, sum.Seats.AttendeesAffected
	c.ModelPartsDropped = len(sum.Dropped)
	if old == nil || len(old.Sessions) == 0 {
		return
	}
	if len(sum.Dropped) > 0 {
		c.NeedsConfirmation = append(c.NeedsConfirmation, fmt.Sprintf("%d stored items that refer to venues or rooms the file removed are dropped", len(sum.Dropped)))
	}
	if float64(sum.Removed) > RemovalShare*float64(len(old.Sessions)) {
		c.NeedsConfirmation = append(c.NeedsConfirmation, fmt.Sprintf("%d of the %d stored sessions are removed (more than %d%%)",
			sum.Removed, len(old.Sessions), int(RemovalShare*100)))
	}
	c.RemovesAll = sum.Removed == len(old.Sessions)
}

// confirmed refuses to apply what the summary says needs a confirmation
// the options do not give (errcode.Conflict; nothing is applied).
func confirmed(sum *Summary, opt Options) error {
	c := sum.Consequences
	switch {
	case c.RemovesAll && !opt.AllowRemoveAll:
		return errcode.New(errcode.Conflict, "the file would remove every one of the %d stored sessions (none of its sessions has a stored id); nothing was applied: confirm that this is meant (allow removing all)", sum.Removed)
	case len(c.NeedsConfirmation) > 0 && !opt.Confirm:
		return errcode.New(errcode.Conflict, "this import needs a confirmation: %s; nothing was applied", strings.Join(c.NeedsConfirmation, "; "))
	}
	return nil
}

var contentIDRE = regexp.MustCompile(`^s[0-9a-f]{12}$`)

// pairByContent keeps a session's identity when a CSV without ids changes
// one of the fields its id is derived from (date, start, room): among the
// sittings of one content (same type and title), exactly one stored
// sitting gone and exactly one new sitting are the same sitting, moved.
// Without this a re-timed row of the re:Invent export would cancel its
// reservations.
func pairByContent(old, c *conference.Conference) []string {
	inNew := make(map[string]bool, len(c.Sessions))
	for i := range c.Sessions {
		inNew[c.Sessions[i].ID] = true
	}
	gone := map[string][]*conference.Session{}
	for i := range old.Sessions {
		s := &old.Sessions[i]
		if !inNew[s.ID] && contentIDRE.MatchString(s.ID) {
			gone[contentKey(s)] = append(gone[contentKey(s)], s)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	inOld := make(map[string]bool, len(old.Sessions))
	for i := range old.Sessions {
		inOld[old.Sessions[i].ID] = true
	}
	fresh := map[string][]*conference.Session{}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		if !inOld[s.ID] && contentIDRE.MatchString(s.ID) {
			fresh[contentKey(s)] = append(fresh[contentKey(s)], s)
		}
	}
	var out []string
	groups := make([]string, 0, len(gone))
	for g := range gone {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		o, n := gone[g], fresh[g]
		if len(o) != 1 || len(n) != 1 {
			continue
		}
		out = append(out, fmt.Sprintf("%q: a sitting with the same title and type was re-timed or moved; it keeps its id %s (and its reservations)", n[0].Title, o[0].ID))
		n[0].ID = o[0].ID
	}
	return out
}

func contentKey(s *conference.Session) string { return s.Type + "\x00" + s.Title }

// diff fills the summary's session, venue and room changes and the seat
// consequences.
func diff(sum *Summary, old, c *conference.Conference, stored *reservation.Stored) {
	prev := map[string]*conference.Session{}
	if old != nil {
		for i := range old.Sessions {
			prev[old.Sessions[i].ID] = &old.Sessions[i]
		}
	}
	holders := map[string][]string{} // session -> attendees with an active reservation
	waiting := map[string][]string{}
	offered := map[string][]string{}
	byAttendee := map[string][]string{}
	if stored != nil {
		for _, r := range stored.Reservations {
			holders[r.SessionID] = append(holders[r.SessionID], r.Attendee)
			byAttendee[r.Attendee] = append(byAttendee[r.Attendee], r.SessionID)
		}
		for _, w := range stored.Waitlist {
			waiting[w.SessionID] = append(waiting[w.SessionID], w.Attendee)
		}
		for _, o := range stored.Offers {
			offered[o.SessionID] = append(offered[o.SessionID], o.Attendee)
		}
	}
	next := make(map[string]*conference.Session, len(c.Sessions))
	for i := range c.Sessions {
		next[c.Sessions[i].ID] = &c.Sessions[i]
	}
	affected := map[string]bool{}
	cancelSeats := func(id string) {
		sum.Seats.ReservationsCancelled += len(holders[id])
		sum.Seats.WaitlistCleared += len(waiting[id])
		sum.Seats.OffersWithdrawn += len(offered[id])
		for _, list := range [][]string{holders[id], waiting[id], offered[id]} {
			for _, a := range list {
				affected[a] = true
			}
		}
	}
	add := func(ch SessionChange) {
		if len(sum.Changes) < maxChanges {
			sum.Changes = append(sum.Changes, ch)
		} else {
			sum.ChangesTruncated = true
		}
	}
	rooms := make(map[string]int, len(c.Rooms))
	for _, r := range c.Rooms {
		rooms[r.ID] = r.Capacity
	}
	for i := range c.Sessions {
		s := &c.Sessions[i]
		p, ok := prev[s.ID]
		if !ok {
			sum.Added++
			add(SessionChange{SessionID: s.ID, Title: s.Title, Kind: "added"})
			continue
		}
		fields := changedFields(p, s)
		if len(fields) == 0 {
			continue
		}
		sum.Changed++
		ch := SessionChange{SessionID: s.ID, Title: s.Title, Kind: "changed", Fields: fields, Reserved: len(holders[s.ID])}
		switch {
		case s.Cancelled && !p.Cancelled:
			ch.Kind = "cancelled"
			cancelSeats(s.ID)
		case p.RoomID != s.RoomID || !p.Start.Equal(s.Start) || !p.End.Equal(s.End):
			ch.Kind = "moved"
			sum.Seats.ReservationsKept += len(holders[s.ID])
			for _, a := range holders[s.ID] {
				affected[a] = true
				if overlapsOther(a, s, byAttendee[a], next) {
					sum.Seats.Overlaps++
				}
			}
			for _, a := range waiting[s.ID] {
				affected[a] = true
			}
		}
		add(ch)
		if n := len(holders[s.ID]); n > 0 && !s.Cancelled {
			capacity := 0
			if s.Capacity != nil {
				capacity = *s.Capacity
			} else if rc, ok := rooms[s.RoomID]; ok {
				capacity = rc - rc*conference.WalkupPercent(s.Type)/100
			}
			if capacity < n {
				sum.Warnings = append(sum.Warnings, Problem{Path: seatWarningPath, Message: fmt.Sprintf(
					"session %s: the new capacity %d is below the %d seats reserved; capacity kept at %d so that no confirmed seat is lost", s.ID, capacity, n, n)})
			}
		}
	}
	if old != nil {
		for i := range old.Sessions {
			s := &old.Sessions[i]
			if next[s.ID] != nil {
				continue
			}
			sum.Removed++
			add(SessionChange{SessionID: s.ID, Title: s.Title, Kind: "removed", Reserved: len(holders[s.ID])})
			if !s.Cancelled {
				cancelSeats(s.ID)
			}
		}
	}
	sum.Seats.AttendeesAffected = len(affected)
	if old != nil {
		sum.Venues = countBy(old.Venues, c.Venues, func(v conference.Venue) string { return v.ID })
		sum.Rooms = countBy(old.Rooms, c.Rooms, func(r conference.Room) string { return r.ID })
	} else {
		sum.Venues.Added, sum.Rooms.Added = len(c.Venues), len(c.Rooms)
	}
}

// overlapsOther reports whether attendee a's reservation of s (new times)
// overlaps another of a's reservations that the import keeps.
func overlapsOther(a string, s *conference.Session, mine []string, next map[string]*conference.Session) bool {
	for _, id := range mine {
		o := next[id]
		if id == s.ID || o == nil || o.Cancelled || !o.Scheduled() || !s.Scheduled() {
			continue
		}
		if conference.Overlaps(s.Start, s.End, o.Start, o.End) {
			return true
		}
	}
	return false
}

func countBy[T any](old, cur []T, id func(T) string) Counts {
	var n Counts
	prev := make(map[string]T, len(old))
	for _, v := range old {
		prev[id(v)] = v
	}
	seen := make(map[string]bool, len(cur))
	for _, v := range cur {
		seen[id(v)] = true
		p, ok := prev[id(v)]
		switch {
		case !ok:
			n.Added++
		case !reflect.DeepEqual(p, v):
			n.Changed++
		}
	}
	for k := range prev {
		if !seen[k] {
			n.Removed++
		}
	}
	return n
}

// changedFields lists the fields (native JSON names) that differ.
func changedFields(a, b *conference.Session) []string {
	var out []string
	check := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	check("code", a.Code == b.Code)
	check("title", a.Title == b.Title)
	check("abstract", a.Abstract == b.Abstract)
	check("type", a.Type == b.Type)
	check("level", a.Level == b.Level)
	check("topics", slices.Equal(a.Topics, b.Topics))
	check("speakers", slices.Equal(a.Speakers, b.Speakers))
	check("roomId", a.RoomID == b.RoomID)
	check("start", a.Start.Equal(b.Start))
	check("end", a.End.Equal(b.End))
	check("reservable", a.Reservable == b.Reservable)
	check("recorded", a.Recorded == b.Recorded)
	check("recordingUrl", a.RecordingURL == b.RecordingURL)
	check("repeatGroup", a.Group() == b.Group())
	check("overflowRoomIds", slices.Equal(a.OverflowRoomIDs, b.OverflowRoomIDs))
	check("capacity", (a.Capacity == nil) == (b.Capacity == nil) && (a.Capacity == nil || *a.Capacity == *b.Capacity))
	check("cancelled", a.Cancelled == b.Cancelled)
	return out
}
