package webpush

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	wp "github.com/SherClockHolmes/webpush-go"

	"venuehop/internal/clock"
	"venuehop/internal/errcode"
	"venuehop/internal/notify"
)

// Defaults of Options.
const (
	DefaultConcurrency  = 16
	DefaultMaxRetryWait = 10 * time.Second
	DefaultRetryBackoff = time.Second
	// DefaultTTL is the TTL of a notice without Expires.
	DefaultTTL = 24 * time.Hour
	// MaxTTL is the longest TTL sent (the push services keep messages
	// four weeks at most).
	MaxTTL = 28 * 24 * time.Hour
	// maxPayload keeps the JSON well inside one 4096-byte aes128gcm
	// record (86 bytes of header, the delimiter, padding, a 16-byte tag).
	maxPayload = 3000
)

// Options configure a Sender.
type Options struct {
	Store Store
	Keys  Keys
	// Contact is the VAPID "sub": a mailto: address or an https: URL the
	// push services may contact about this server.
	Contact string
	// Client posts the messages; nil: a client with a 30-second timeout
	// and connections kept for Concurrency requests per push service.
	Client *http.Client
	// Concurrency is SendMany's worker count (DefaultConcurrency when 0).
	Concurrency int
	// MaxRetryWait is the longest Retry-After a 429 or 5xx answer is
	// retried after (once); a longer one is not retried.
	MaxRetryWait time.Duration
	// RetryBackoff is the wait before the retry when the answer has no
	// Retry-After (or the request failed).
	RetryBackoff time.Duration
	Clock        clock.Clock
	Logger       *slog.Logger
}

// Sender sends notices to the attendees' devices; it implements
// notify.Sender and keeps the devices' subscriptions.
type Sender struct {
	o Options
}

var _ notify.Sender = (*Sender)(nil)

// New returns a Sender; Store and Keys are required.
func New(o Options) (*Sender, error) {
	if o.Store == nil {
		return nil, errcode.New(errcode.Internal, "webpush: no store")
	}
	if err := o.Keys.check(); err != nil {
		return nil, err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxRetryWait == 0 {
		o.MaxRetryWait = DefaultMaxRetryWait
	}
	if o.RetryBackoff == 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Contact == "" {
		o.Contact = "mailto:webpush@venuehop.invalid"
	}
	if !strings.HasPrefix(o.Contact, "mailto:") && !strings.HasPrefix(o.Contact, "https:") {
		o.Contact = "mailto:" + o.Contact
	}
	if o.Client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = o.Concurrency
		o.Client = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	return &Sender{o: o}, nil
}

// PublicKey is the VAPID public key (base64url), the browsers'
// applicationServerKey.
func (s *Sender) PublicKey() string { return s.o.Keys.Public }

// Subscribe stores a device's subscription for the attendee, or updates
// its keys, categories and label when the endpoint is stored already.
func (s *Sender) Subscribe(ctx context.Context, attendeeID string, in SubscriptionInput) (Subscription, error) {
	sub, err := in.Validate(attendeeID)
	if err != nil {
		return Subscription{}, err
	}
	have, err := s.o.Store.PushSubscriptions(ctx, attendeeID)
	if err != nil {
		return Subscription{}, err
	}
	sub.Created = s.o.Clock.Now()
	known := false
	for _, h := range have {
		if h.Endpoint == sub.Endpoint {
			known, sub.Created = true, h.Created
		}
	}
	if !known && len(have) >= MaxPerAttendee {
		return Subscription{}, errcode.New(errcode.Conflict, "at most %d devices receive notifications; unsubscribe one first", MaxPerAttendee)
	}
	if err := s.o.Store.PutPushSubscription(ctx, sub); err != nil {
		return Subscription{}, err
	}
	return sub, nil
}

// Unsubscribe deletes the attendee's subscription with the endpoint
// (errcode.NotFound when there is none).
func (s *Sender) Unsubscribe(ctx context.Context, attendeeID, endpoint string) error {
	if endpoint == "" || len(endpoint) > MaxEndpoint {
		return errcode.New(errcode.Invalid, "endpoint is required (at most %d bytes)", MaxEndpoint)
	}
	ok, err := s.o.Store.DeletePushSubscription(ctx, attendeeID, endpoint)
	if err != nil {
		return err
	}
	if !ok {
		return errcode.New(errcode.NotFound, "no such push subscription")
	}
	return nil
}

// Devices lists the attendee's subscriptions, oldest first.
func (s *Sender) Devices(ctx context.Context, attendeeID string) ([]Subscription, error) {
	return s.o.Store.PushSubscriptions(ctx, attendeeID)
}

// Result counts the deliveries of one or many notices, one per device.
type Result struct {
	Sent    int // the push service took the message
	Skipped int // the device does not want the category, or the notice expired
	Gone    int // 404/410: the subscription was deleted
	Failed  int // any other answer, after the one retry
}

func (r *Result) add(o Result) {
	r.Sent += o.Sent
	r.Skipped += o.Skipped
	r.Gone += o.Gone
	r.Failed += o.Failed
}

// Send posts n to every device of n.AttendeeID that wants its category.
// It fails when the subscriptions cannot be read, ctx ends, or a device's
// push service refused the message (gone devices are no failure).
func (s *Sender) Send(ctx context.Context, n notify.Notice) error {
	r, err := s.send(ctx, n)
	if err != nil {
		return err
	}
	if r.Failed > 0 {
		return errcode.New(errcode.Unavailable, "web push: %d of %d devices did not take notice %s", r.Failed, r.Failed+r.Sent+r.Gone, n.ID)
	}
	return nil
}

// SendMany sends every notice with at most Concurrency at once and
// returns the deliveries counted. It stops taking notices when ctx ends
// (returning ctx's error); a notice whose subscriptions cannot be read is
// logged and the first such error returned after the rest are sent.
func (s *Sender) SendMany(ctx context.Context, ns []notify.Notice) (Result, error) {
	var (
		mu    sync.Mutex
		total Result
		first error
		wg    sync.WaitGroup
	)
	jobs := make(chan int)
	for range min(s.o.Concurrency, len(ns)) {
		wg.Go(func() {
			for i := range jobs {
				if ctx.Err() != nil {
					continue
				}
				r, err := s.send(ctx, ns[i])
				mu.Lock()
				total.add(r)
				if err != nil && first == nil && ctx.Err() == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range ns {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return total, err
	}
	return total, first
}

// message is what the service worker reads from a push.
type message struct {
	ID        string          `json:"id"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	URL       string          `json:"url"`
	Category  notify.Category `json:"category"`
	OfferID   string          `json:"offerId,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	// Topic is the notification's tag: a newer one replaces it.
	Topic   string    `json:"topic,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

// Payload is the JSON a device receives for n (decrypted): id, title,
// body, url, category, offerId, sessionId, topic and expires. A long body
// is shortened to fit one push record.
func Payload(n notify.Notice) ([]byte, error) {
	m := message{ID: n.ID, Title: cut(n.Title, 200), Body: cut(n.Body, 1000), URL: n.URL, Category: n.Category,
		OfferID: n.OfferID, SessionID: n.SessionID, Topic: n.Topic, Expires: n.Expires}
	if len(m.URL) > 1000 {
		m.URL = "/"
	}
	for {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, errcode.Wrap(errcode.Internal, err, "web push: notice %s cannot be encoded", n.ID)
		}
		if len(b) <= maxPayload {
			return b, nil
		}
		if m.Body == "" {
			return nil, errcode.New(errcode.Invalid, "web push: notice %s is too large to push", n.ID)
		}
		m.Body = cut(m.Body, utf8.RuneCountInString(m.Body)/2)
	}
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Topic is the RFC 8030 Topic header for a notice topic: the topic itself
// when it is at most 32 characters of the URL-safe base64 alphabet, else
// 32 characters of its SHA-256; "" for no topic.
func Topic(t string) string {
	if t == "" {
		return ""
	}
	if len(t) <= 32 && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == "" {
		return t
	}
	h := sha256.Sum256([]byte(t))
	return base64.RawURLEncoding.EncodeToString(h[:24])
}

// UrgencyOf is the Urgency header for n: its own when valid, else by
// category (offers and "leave now" high, recordings low, others normal).
func UrgencyOf(n notify.Notice) notify.Urgency {
	switch n.Urgency {
	case notify.UrgencyVeryLow, notify.UrgencyLow, notify.UrgencyNormal, notify.UrgencyHigh:
		return n.Urgency
	}
	switch n.Category {
	case notify.CategoryOffer, notify.CategoryLeave:
		return notify.UrgencyHigh
	case notify.CategoryRecording:
		return notify.UrgencyLow
	}
	return notify.UrgencyNormal
}

// TTL is the seconds from now until n expires (DefaultTTL without
// Expires), at least 0 and at most MaxTTL.
func TTL(n notify.Notice, now time.Time) int {
	if n.Expires.IsZero() {
		return int(DefaultTTL / time.Second)
	}
	d := min(max(n.Expires.Sub(now), 0), MaxTTL)
	return int(d / time.Second)
}

// send delivers one notice to its attendee's devices.
func (s *Sender) send(ctx context.Context, n notify.Notice) (Result, error) {
	var r Result
	subs, err := s.o.Store.PushSubscriptions(ctx, n.AttendeeID)
	if err != nil {
		s.o.Logger.Warn("web push: subscriptions unreadable", "attendee", n.AttendeeID, "notice", n.ID, "err", err)
		return r, err
	}
	if len(subs) == 0 {
		return r, nil
	}
	now := s.o.Clock.Now()
	if !n.Expires.IsZero() && !n.Expires.After(now) {
		r.Skipped = len(subs)
		return r, nil
	}
	body, err := Payload(n)
	if err != nil {
		return r, err
	}
	hdr := pushHeaders{ttl: TTL(n, now), urgency: UrgencyOf(n), topic: Topic(n.Topic)}
	for _, sub := range subs {
		if !sub.Wants(n.Category) {
			r.Skipped++
			continue
		}
		switch s.deliver(ctx, sub, body, hdr, n.ID) {
		case sent:
			r.Sent++
		case gone:
			r.Gone++
		default:
			r.Failed++
		}
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	return r, nil
}

type outcome int

const (
	sent outcome = iota
	gone
	failed
)

// pushHeaders are the RFC 8030 headers of one notice's messages.
type pushHeaders struct {
	ttl     int
	urgency notify.Urgency
	topic   string
}

// post encrypts body for the device (RFC 8291), signs the request (RFC
// 8292 VAPID) and posts it to its push service, through
// github.com/SherClockHolmes/webpush-go.
func (s *Sender) post(ctx context.Context, sub Subscription, body []byte, h pushHeaders) (*http.Response, error) {
	return wp.SendNotificationWithContext(ctx, body, &wp.Subscription{Endpoint: sub.Endpoint, Keys: wp.Keys{Auth: sub.Auth, P256dh: sub.P256dh}},
		&wp.Options{
			HTTPClient:      s.o.Client,
			Subscriber:      strings.TrimPrefix(s.o.Contact, "mailto:"), // the library adds mailto: to what is not https
			Topic:           h.topic,
			TTL:             h.ttl,
			Urgency:         wp.Urgency(h.urgency),
			VAPIDPublicKey:  s.o.Keys.Public,
			VAPIDPrivateKey: s.o.Keys.Private,
		})
}

// deliver posts one message, deletes a gone subscription and retries a
// 429, 5xx or failed request once.
func (s *Sender) deliver(ctx context.Context, sub Subscription, body []byte, h pushHeaders, noticeID string) outcome {
	log := s.o.Logger.With("attendee", sub.AttendeeID, "notice", noticeID, "endpoint", redactEndpoint(sub.Endpoint))
	for attempt := 1; ; attempt++ {
		resp, err := s.post(ctx, sub, body, h)
		wait := s.o.RetryBackoff
		if err != nil {
			if ctx.Err() != nil {
				return failed
			}
			log.Warn("web push: request failed", "attempt", attempt, "err", err)
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 8<<10))
			resp.Body.Close()
			switch code := resp.StatusCode; {
			case code >= 200 && code < 300:
				return sent
			case code == http.StatusNotFound || code == http.StatusGone:
				if _, err := s.o.Store.DeletePushSubscription(context.WithoutCancel(ctx), sub.AttendeeID, sub.Endpoint); err != nil {
					log.Warn("web push: a gone subscription could not be deleted", "status", code, "err", err)
				} else {
					log.Info("web push: subscription gone, deleted", "status", code)
				}
				return gone
			case code == http.StatusTooManyRequests || code >= 500:
				if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
					wait = ra
				}
				log.Warn("web push: push service busy", "status", code, "attempt", attempt, "retryAfter", wait)
			default:
				log.Warn("web push: push service refused the message", "status", code)
				return failed
			}
		}
		if attempt >= 2 {
			return failed
		}
		if wait > s.o.MaxRetryWait {
			log.Warn("web push: not retried, the push service asks to wait too long", "retryAfter", wait)
			return failed
		}
		if !sleep(ctx, wait) {
			return failed
		}
	}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// redactEndpoint keeps the push service's origin for the logs: the path
// is the device's capability.
func redactEndpoint(e string) string {
	if i := strings.Index(e, "://"); i >= 0 {
		if j := strings.IndexByte(e[i+3:], '/'); j >= 0 {
			return e[:i+3+j] + "/…"
		}
	}
	return e
}
