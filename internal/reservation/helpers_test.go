package reservation_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/store/sqlite"
)

// manualClock is a conference clock the test moves by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var la = mustZone("America/Los_Angeles")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at is an instant on the first (day 1) or second day of the test
// conference.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.December, day, hour, minute, 0, 0, la)
}

func capacity(n int) *int { return &n }

// testConference: two venues 3.5 km apart (the fallback travel model walks
// that in ~45 min), sessions with explicit capacities.
func testConference() *conference.Conference {
	se := func(id, room string, start, end time.Time, capN int) conference.Session {
		return conference.Session{ID: id, Title: id, Type: conference.TypeBreakout, RoomID: room,
			Start: start, End: end, Reservable: true, Capacity: capacity(capN)}
	}
	c := &conference.Conference{
		Format: conference.FormatVersion, ID: "test", Name: "Test", TimeZone: "America/Los_Angeles",
		Days: []string{"2026-12-01", "2026-12-02"},
		Venues: []conference.Venue{
			{ID: "north", Name: "North", Lat: 36.1212, Lon: -115.1697},
			{ID: "south", Name: "South", Lat: 36.0900, Lon: -115.1760},
		},
		Rooms: []conference.Room{
			{ID: "n1", VenueID: "north", Name: "N1", Level: "1", Capacity: 400},
			{ID: "n2", VenueID: "north", Name: "N2", Level: "1", Capacity: 400},
			{ID: "n3", VenueID: "north", Name: "N3", Level: "1", Capacity: 20},
			{ID: "s1", VenueID: "south", Name: "S1", Level: "1", Capacity: 400},
		},
		Sessions: []conference.Session{
			se("S7", "n1", at(1, 10, 0), at(1, 11, 0), 7),
			se("OVL", "n2", at(1, 10, 30), at(1, 11, 30), 5),
			se("ONE", "n2", at(1, 13, 0), at(1, 14, 0), 1),
			se("NEAR", "n2", at(1, 11, 5), at(1, 12, 0), 1),
			se("FAR", "s1", at(1, 11, 5), at(1, 12, 0), 1),
			se("C1", "n1", at(1, 12, 0), at(1, 12, 30), 50),
			se("C2", "n1", at(1, 14, 30), at(1, 15, 0), 50),
			se("C3", "n1", at(1, 15, 30), at(1, 16, 0), 50),
			se("D2", "n1", at(2, 10, 0), at(2, 11, 0), 50),
			se("BIG", "n3", at(2, 13, 0), at(2, 14, 0), 10),
			{ID: "NR", Title: "Not reservable", Type: conference.TypeKeynote, RoomID: "n1", Start: at(2, 8, 0), End: at(2, 9, 0)},
			{ID: "CX", Title: "Cancelled", Type: conference.TypeBreakout, RoomID: "n2", Start: at(2, 8, 0), End: at(2, 9, 0), Reservable: true, Cancelled: true},
		},
	}
	return c
}

// notes records what the engine tells a notifier.
type notes struct {
	mu      sync.Mutex
	seats   []reservation.SeatCount
	offers  []reservation.Offer
	changes []reservation.Change
}

func (n *notes) SeatsChanged(c []reservation.SeatCount) {
	n.mu.Lock()
	n.seats = append(n.seats, c...)
	n.mu.Unlock()
}
func (n *notes) OfferMade(o reservation.Offer) {
	n.mu.Lock()
	n.offers = append(n.offers, o)
	n.mu.Unlock()
}
func (n *notes) SessionChanged(id string, kind reservation.ChangeKind) {
	n.mu.Lock()
	n.changes = append(n.changes, reservation.Change{SessionID: id, Kind: kind})
	n.mu.Unlock()
}

// flakyStore is the real SQLite store whose next Apply can be made to fail,
// as a full disk would.
type flakyStore struct {
	*sqlite.Store
	failNext atomic.Bool
}

func (f *flakyStore) Apply(ctx context.Context, ops []reservation.Op) error {
	if f.failNext.CompareAndSwap(true, false) {
		return errors.New("disk full (injected)")
	}
	return f.Store.Apply(ctx, ops)
}

type env struct {
	t      testing.TB
	dir    string
	store  *flakyStore
	live   *live.Holder
	clock  *manualClock
	quota  *manualClock
	notes  *notes
	engine *reservation.Engine
	cfg    reservation.Config
}

// newEnv starts an engine on a fresh SQLite store in a temp dir with the
// test conference, the clock at 8:00 on day 1.
func newEnv(t testing.TB, cfg reservation.Config) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &manualClock{t: at(1, 8, 0)}, quota: &manualClock{t: time.Unix(1e9, 0)}, cfg: cfg}
	st, err := sqlite.Open(context.Background(), e.dir)
	if err != nil {
		t.Fatal(err)
	}
	e.store = &flakyStore{Store: st}
	rev, err := st.SaveConference(context.Background(), testConference(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := live.Build(testConference(), rev)
	if err != nil {
		t.Fatal(err)
	}
	e.live = &live.Holder{}
	e.live.Store(ls)
	e.start()
	t.Cleanup(func() {
		e.engine.Close()
		problems, err := st.Check(context.Background())
		if err != nil || len(problems) > 0 {
			t.Errorf("store invariants after the test: %q %v", problems, err)
		}
		st.Close()
	})
	return e
}

func (e *env) start() {
	e.t.Helper()
	e.notes = &notes{}
	eng, err := reservation.New(context.Background(), e.cfg, reservation.Deps{
		Store: e.store, Live: e.live, Clock: e.clock, QuotaClock: e.quota, Notify: e.notes})
	if err != nil {
		e.t.Fatal(err)
	}
	e.engine = eng
}

// restart closes the engine and starts a new one on the same store, as a
// process restart would.
func (e *env) restart() {
	e.engine.Close()
	e.start()
}

func (e *env) reserve(attendee string, ids ...string) []reservation.Result {
	e.t.Helper()
	ans, err := e.engine.Reserve(context.Background(), attendee, ids, "")
	if err != nil {
		e.t.Fatalf("Reserve(%s, %v): %v", attendee, ids, err)
	}
	return ans.Results
}

func (e *env) status(attendee, id string) reservation.Status {
	e.t.Helper()
	return e.reserve(attendee, id)[0].Status
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.engine.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) offers(attendee string) []reservation.Offer {
	e.t.Helper()
	o, err := e.engine.Offers(context.Background(), attendee)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *env) seats(id string) (int, int) { return e.engine.Seats(id) }
