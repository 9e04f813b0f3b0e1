package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/errcode"
)

// Kept is a stored notice and when its attendee read it (zero: unread).
type Kept struct {
	Notice
	ReadAt time.Time
}

// Store keeps the notices and the attendees' category preferences. Every
// method is scoped by attendee.
type Store interface {
	// PutNotice stores n. A notice of the same attendee with the same
	// non-empty Topic is replaced; then only the newest keep notices of
	// the attendee are kept.
	PutNotice(ctx context.Context, n Notice, keep int) error
	// Notices lists the attendee's notices not expired at now, newest
	// first, at most limit, and how many of all those are unread.
	Notices(ctx context.Context, attendeeID string, now time.Time, limit int) ([]Kept, int, error)
	// MarkNoticesRead marks the attendee's listed notices read (all of
	// them when ids is empty) and returns how many it changed.
	MarkNoticesRead(ctx context.Context, attendeeID string, ids []string, at time.Time) (int, error)
	// SweepNotices deletes every notice expired before now.
	SweepNotices(ctx context.Context, now time.Time) (int, error)
	// NoticesOff lists the categories the attendee turned off.
	NoticesOff(ctx context.Context, attendeeID string) ([]Category, error)
	// SetNoticesOff replaces that list.
	SetNoticesOff(ctx context.Context, attendeeID string, off []Category) error
}

// Listener hears of every stored notice with its attendee's unread count
// (the event hub, for the header badge). It must not block.
type Listener interface {
	NoticeMade(n Notice, unread int)
}

// Limits of the service.
const (
	// Keep is how many notices one attendee keeps (the newest).
	Keep = 200
	// ListLimit is the most one listing returns.
	ListLimit = 200
	// queueLen bounds the notices waiting to be stored, and the ones
	// waiting for the senders: past it they are dropped with a log line,
	// never waited for.
	queueLen = 4096
	// sendConcurrency is how many notices are being sent at once.
	sendConcurrency = 16
	// sendTimeout bounds one Sender.Send.
	sendTimeout = 30 * time.Second
	sweepEvery  = 10 * time.Minute
	// maxTitle and maxBody bound what a notice carries (Web Push payloads
	// are small).
	maxTitle = 200
	maxBody  = 1000
)

// Deps are what the service needs; Listener and Logger may be nil.
type Deps struct {
	Store    Store
	Clock    clock.Clock
	Listener Listener
	Logger   *slog.Logger
}

// Service stores notices and hands them on: to the listener and to every
// sender. Notify never blocks; the work is done by its goroutines.
type Service struct {
	d   Deps
	log *slog.Logger

	mu      sync.Mutex
	senders []Sender

	queue chan Notice
	out   chan Notice
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	// idle is signalled when the store queue is empty (tests wait on it).
	idleMu  sync.Mutex
	pending int
	idle    *sync.Cond
}

// New returns a service; Start runs it.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	s := &Service{d: d, log: d.Logger, queue: make(chan Notice, queueLen), out: make(chan Notice, queueLen), stop: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.idle = sync.NewCond(&s.idleMu)
	return s
}

// AddSender registers a sender (Web Push): every stored notice is handed
// to it, in the background.
func (s *Service) AddSender(x Sender) {
	s.mu.Lock()
	s.senders = append(s.senders, x)
	s.mu.Unlock()
}

// Start runs the store, send and sweep goroutines until Close.
func (s *Service) Start() {
	s.wg.Add(3)
	go s.storeLoop()
	go s.sendLoop()
	go s.sweepLoop()
}

// Close stops the service after the notice in hand; queued ones are lost
// (they are reminders, not records).
func (s *Service) Close() {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
}

// Notify queues n for its attendee. It never blocks: when the queue is
// full n is dropped with a log line. It reports whether n was queued.
func (s *Service) Notify(n Notice) bool { return s.enqueue(context.Background(), n, false) }

// Queue queues n like Notify but waits for room in the queue, until ctx
// ends: for the triggers, which run on their own goroutine and may make
// tens of thousands of notices at once (a session moved), none of which
// may be dropped. It reports whether n was queued.
func (s *Service) Queue(ctx context.Context, n Notice) bool { return s.enqueue(ctx, n, true) }

func (s *Service) enqueue(ctx context.Context, n Notice, wait bool) bool {
	s.idleMu.Lock()
	s.pending++
	s.idleMu.Unlock()
	select {
	case s.queue <- n:
		return true
	default:
	}
	if wait {
		select {
		case s.queue <- n:
			return true
		case <-ctx.Done():
		case <-s.stop:
		}
	}
	s.done()
	s.log.Warn("notify: notice not queued", "attendee", n.AttendeeID, "category", n.Category, "topic", n.Topic, "waited", wait)
	return false
}

func (s *Service) done() {
	s.idleMu.Lock()
	s.pending--
	if s.pending == 0 {
		s.idle.Broadcast()
	}
	s.idleMu.Unlock()
}

// Wait returns once every notice queued so far is stored (or dropped);
// for tests and shutdown.
func (s *Service) Wait() {
	s.idleMu.Lock()
	for s.pending > 0 {
		s.idle.Wait()
	}
	s.idleMu.Unlock()
}

func (s *Service) storeLoop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case n := <-s.queue:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.deliver(ctx, n)
			cancel()
			s.done()
		}
	}
}

// deliver stores one notice (unless its category is off for the
// attendee), tells the listener and queues it for the senders.
func (s *Service) deliver(ctx context.Context, n Notice) {
	n, err := s.complete(n)
	if err != nil {
		s.log.Error("notify: invalid notice", "attendee", n.AttendeeID, "err", err)
		return
	}
	off, err := s.d.Store.NoticesOff(ctx, n.AttendeeID)
	if err != nil {
		s.log.Error("notify: reading preferences", "attendee", n.AttendeeID, "err", err)
		return
	}
	for _, c := range off {
		if c == n.Category {
			return
		}
	}
	if err := s.d.Store.PutNotice(ctx, n, Keep); err != nil {
		s.log.Error("notify: storing a notice", "attendee", n.AttendeeID, "err", err)
		return
	}
	if s.d.Listener != nil {
		_, unread, err := s.d.Store.Notices(ctx, n.AttendeeID, s.d.Clock.Now(), 1)
		if err != nil {
			s.log.Error("notify: counting unread notices", "attendee", n.AttendeeID, "err", err)
		} else {
			s.d.Listener.NoticeMade(n, unread)
		}
	}
	s.mu.Lock()
	hasSenders := len(s.senders) > 0
	s.mu.Unlock()
	if hasSenders {
		// The senders set the pace: storing waits for them (and the
		// store queue fills) rather than dropping what is stored.
		select {
		case s.out <- n:
		case <-s.stop:
		}
	}
}

// complete fills in the ID, Created, Urgency and Expires of a notice and
// checks the rest.
func (s *Service) complete(n Notice) (Notice, error) {
	now := s.d.Clock.Now()
	if n.ID == "" {
		n.ID = NewID()
	}
	if n.Created.IsZero() {
		n.Created = now
	}
	if n.Urgency == "" {
		n.Urgency = UrgencyNormal
	}
	if n.Expires.IsZero() {
		n.Expires = n.Created.Add(7 * 24 * time.Hour)
	}
	n.Title = clip(n.Title, maxTitle)
	n.Body = clip(n.Body, maxBody)
	switch {
	case n.AttendeeID == "":
		return n, errcode.New(errcode.Invalid, "a notice needs an attendee")
	case !n.Category.Valid():
		return n, errcode.New(errcode.Invalid, "unknown notice category %q", n.Category)
	case n.Title == "":
		return n, errcode.New(errcode.Invalid, "a notice needs a title")
	}
	return n, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// sendLoop hands each stored notice to the senders: sendConcurrency
// workers (a push is a round trip to the push service), each attendee's
// notices always to the same one, so that they go in the order they were
// made (a later one with a topic must replace the earlier, not arrive
// first).
func (s *Service) sendLoop() {
	defer s.wg.Done()
	var workers sync.WaitGroup
	lanes := make([]chan Notice, sendConcurrency)
	for i := range lanes {
		lanes[i] = make(chan Notice, 64)
		workers.Go(func() {
			for n := range lanes[i] {
				s.send(n)
			}
		})
	}
	defer func() {
		for _, l := range lanes {
			close(l)
		}
		workers.Wait()
	}()
	for {
		select {
		case <-s.stop:
			return
		case n := <-s.out:
			h := fnv.New32a()
			h.Write([]byte(n.AttendeeID))
			select {
			case lanes[h.Sum32()%sendConcurrency] <- n:
			case <-s.stop:
				return
			}
		}
	}
}

// send gives n to every sender.
func (s *Service) send(n Notice) {
	s.mu.Lock()
	list := append([]Sender(nil), s.senders...)
	s.mu.Unlock()
	for _, x := range list {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		if err := x.Send(ctx, n); err != nil {
			s.log.Warn("notify: sending a notice", "attendee", n.AttendeeID, "id", n.ID, "err", err)
		}
		cancel()
	}
}

func (s *Service) sweepLoop() {
	defer s.wg.Done()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if n, err := s.d.Store.SweepNotices(ctx, s.d.Clock.Now()); err != nil {
				s.log.Error("notify: sweeping expired notices", "err", err)
			} else if n > 0 {
				s.log.Info("notify: expired notices swept", "count", n)
			}
			cancel()
		}
	}
}

// List returns the attendee's live notices, newest first, and the unread
// count.
func (s *Service) List(ctx context.Context, attendeeID string) ([]Kept, int, error) {
	return s.d.Store.Notices(ctx, attendeeID, s.d.Clock.Now(), ListLimit)
}

// Unread is the attendee's unread count (the header badge).
func (s *Service) Unread(ctx context.Context, attendeeID string) (int, error) {
	_, n, err := s.d.Store.Notices(ctx, attendeeID, s.d.Clock.Now(), 1)
	return n, err
}

// MaxMark bounds the ids one MarkRead names.
const MaxMark = ListLimit

// MarkRead marks the attendee's notices read (all when ids is empty) and
// returns the unread count left.
func (s *Service) MarkRead(ctx context.Context, attendeeID string, ids []string) (int, error) {
	if len(ids) > MaxMark {
		return 0, errcode.New(errcode.Invalid, "at most %d notice ids at once, got %d", MaxMark, len(ids))
	}
	if _, err := s.d.Store.MarkNoticesRead(ctx, attendeeID, ids, s.d.Clock.Now()); err != nil {
		return 0, err
	}
	return s.Unread(ctx, attendeeID)
}

// Preferences says, per category, whether the attendee wants its notices.
type Preferences map[Category]bool

// Preferences returns the attendee's preferences (every category on by
// default).
func (s *Service) Preferences(ctx context.Context, attendeeID string) (Preferences, error) {
	off, err := s.d.Store.NoticesOff(ctx, attendeeID)
	if err != nil {
		return nil, err
	}
	p := Preferences{}
	for _, c := range Categories {
		p[c] = true
	}
	for _, c := range off {
		p[c] = false
	}
	return p, nil
}

// SetPreferences changes the categories named in p (the others keep their
// setting) and returns the result.
func (s *Service) SetPreferences(ctx context.Context, attendeeID string, p Preferences) (Preferences, error) {
	cur, err := s.Preferences(ctx, attendeeID)
	if err != nil {
		return nil, err
	}
	for c, on := range p {
		if !c.Valid() {
			return nil, errcode.New(errcode.Invalid, "unknown notice category %q (want one of offer, leave, change, recording)", c)
		}
		cur[c] = on
	}
	var off []Category
	for _, c := range Categories {
		if !cur[c] {
			off = append(off, c)
		}
	}
	if err := s.d.Store.SetNoticesOff(ctx, attendeeID, off); err != nil {
		return nil, err
	}
	return cur, nil
}

// NewID is a fresh notice id.
func NewID() string {
	var b [12]byte
	rand.Read(b[:])
	return "n_" + hex.EncodeToString(b[:])
}
