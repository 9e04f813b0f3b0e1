package notify_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/notify"
)

// memStore is a notify.Store in memory (the backends pass storetest).
type memStore struct {
	mu   sync.Mutex
	list []notify.Notice
	off  map[string][]notify.Category
}

func (m *memStore) PutNotice(_ context.Context, n notify.Notice, _ int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, n)
	return nil
}

func (m *memStore) Notices(_ context.Context, attendee string, _ time.Time, _ int) ([]notify.Kept, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []notify.Kept
	for _, n := range m.list {
		if n.AttendeeID == attendee {
			out = append(out, notify.Kept{Notice: n})
		}
	}
	return out, len(out), nil
}

func (m *memStore) MarkNoticesRead(context.Context, string, []string, time.Time) (int, error) {
	return 0, nil
}
func (m *memStore) SweepNotices(context.Context, time.Time) (int, error) { return 0, nil }

func (m *memStore) NoticesOff(_ context.Context, attendee string) ([]notify.Category, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.off[attendee], nil
}

func (m *memStore) SetNoticesOff(_ context.Context, attendee string, off []notify.Category) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.off[attendee] = off
	return nil
}

type heard struct {
	mu     sync.Mutex
	got    []string
	unread []int
}

func (h *heard) NoticeMade(n notify.Notice, unread int) {
	h.mu.Lock()
	h.got = append(h.got, n.AttendeeID+":"+n.Title)
	h.unread = append(h.unread, unread)
	h.mu.Unlock()
}

type sender struct {
	heard
	sent chan notify.Notice
}

func (s *sender) Send(_ context.Context, n notify.Notice) error {
	s.sent <- n
	return nil
}

func TestServiceStoresTellsAndSends(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	st := &memStore{off: map[string][]notify.Category{"u_quiet": {notify.CategoryChange}}}
	var l heard
	svc := notify.New(notify.Deps{Store: st, Clock: clock.Fixed(now), Listener: &l})
	snd := &sender{sent: make(chan notify.Notice, 10)}
	svc.AddSender(snd)
	svc.Start()
	defer svc.Close()

	for _, n := range []notify.Notice{
		{AttendeeID: "u_a", Category: notify.CategoryChange, Title: "Moved"},
		{AttendeeID: "u_quiet", Category: notify.CategoryChange, Title: "Moved"},         // turned off
		{AttendeeID: "u_quiet", Category: notify.CategoryOffer, Title: "Seat"},           // still on
		{AttendeeID: "u_a", Category: "sms", Title: "Unknown"},                           // invalid
		{AttendeeID: "", Category: notify.CategoryOffer, Title: "Nobody"},                // invalid
		{AttendeeID: "u_a", Category: notify.CategoryOffer, Title: "Seat", ID: "n_mine"}, // its id kept
	} {
		if !svc.Notify(n) {
			t.Fatalf("Notify(%+v) dropped with an empty queue", n)
		}
	}
	svc.Wait()
	if want := []string{"u_a:Moved", "u_quiet:Seat", "u_a:Seat"}; !slices.Equal(l.got, want) {
		t.Errorf("listener heard %v, want %v", l.got, want)
	}
	if want := []int{1, 1, 2}; !slices.Equal(l.unread, want) {
		t.Errorf("unread counts %v, want %v", l.unread, want)
	}
	sent := map[string][]string{} // by attendee: the order made, per attendee
	for range 3 {
		n := <-snd.sent
		sent[n.AttendeeID] = append(sent[n.AttendeeID], n.Title)
		if n.ID == "" || !n.Created.Equal(now) || n.Urgency != notify.UrgencyNormal || !n.Expires.After(now) {
			t.Errorf("sent notice not completed: %+v", n)
		}
	}
	if a, q := strings.Join(sent["u_a"], " "), strings.Join(sent["u_quiet"], " "); a != "Moved Seat" || q != "Seat" || len(sent) != 2 {
		t.Errorf("sent %v, want u_a: Moved then Seat, u_quiet: Seat", sent)
	}
	if st.list[2].ID != "n_mine" {
		t.Errorf("a given id was replaced: %s", st.list[2].ID)
	}
}

func TestPreferences(t *testing.T) {
	st := &memStore{off: map[string][]notify.Category{}}
	svc := notify.New(notify.Deps{Store: st})
	ctx := context.Background()
	p, err := svc.SetPreferences(ctx, "u_a", notify.Preferences{notify.CategoryLeave: false})
	if err != nil || p[notify.CategoryLeave] || !p[notify.CategoryOffer] || len(p) != len(notify.Categories) {
		t.Fatalf("SetPreferences = %v, %v", p, err)
	}
	p, _ = svc.SetPreferences(ctx, "u_a", notify.Preferences{notify.CategoryOffer: false})
	if p[notify.CategoryLeave] || p[notify.CategoryOffer] || !p[notify.CategoryChange] {
		t.Errorf("a second change forgot the first: %v", p)
	}
	if _, err := svc.SetPreferences(ctx, "u_a", notify.Preferences{"sms": true}); err == nil {
		t.Error("an unknown category was accepted")
	}
}

// BenchmarkNotify is what the seat engine's sequencer pays per notice:
// a queue send (or, when the queue is full, a drop), never a store write.
func BenchmarkNotify(b *testing.B) {
	st := &memStore{off: map[string][]notify.Category{}}
	svc := notify.New(notify.Deps{Store: st})
	svc.Start()
	defer svc.Close()
	n := notify.Notice{AttendeeID: "u_a", Category: notify.CategoryOffer, Title: "Seat"}
	b.ReportAllocs()
	for b.Loop() {
		svc.Notify(n)
	}
}
