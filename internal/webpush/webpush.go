// Package webpush delivers notices (internal/notify) to the attendees'
// browsers through their push services: RFC 8030 (the push protocol),
// RFC 8291 (payload encryption, aes128gcm) and RFC 8292 (VAPID, the
// application server's signed identity). A device subscribes with the
// VAPID public key (PublicKey) and hands its PushSubscription over
// (Subscribe); a Sender looks up the attendee's subscriptions for every
// notice and posts each an encrypted message (Send, SendMany). A
// subscription the push service calls gone (404, 410) is deleted.
//
// The encryption and the VAPID signature are github.com/SherClockHolmes/
// webpush-go's; this package adds the subscriptions, the per-device
// categories, the headers from the Notice, retries and the fan-out.
package webpush

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"venuehop/internal/errcode"
	"venuehop/internal/notify"
)

// Limits on what a device may store.
const (
	// MaxEndpoint bounds a subscription's endpoint URL (the push services'
	// are a few hundred bytes).
	MaxEndpoint = 2048
	// MaxLabel bounds the device label (a shortened User-Agent).
	MaxLabel = 100
	// MaxPerAttendee bounds one attendee's devices.
	MaxPerAttendee = 20
)

// Subscription is one device's PushSubscription, kept for its attendee.
type Subscription struct {
	// Endpoint is the push service URL messages are posted to; it is
	// unique: subscribing it again replaces the row (and moves it to
	// whoever subscribes it now).
	Endpoint   string
	AttendeeID string
	// P256dh and Auth are the device's keys as PushSubscription.toJSON
	// gives them: base64url of a 65-byte uncompressed P-256 point and of
	// a 16-byte authentication secret.
	P256dh string
	Auth   string
	// Categories are the notices the device wants, in notify.Categories
	// order; every category unless the device chose.
	Categories []notify.Category
	// Label names the device for the attendee (from its User-Agent).
	Label   string
	Created time.Time
}

// Wants reports whether the device takes notices of category c.
func (s Subscription) Wants(c notify.Category) bool { return slices.Contains(s.Categories, c) }

// Keys are the VAPID key pair, base64url without padding: Public is the
// 65-byte uncompressed P-256 point browsers take as applicationServerKey,
// Private the 32-byte scalar.
type Keys struct {
	Public  string
	Private string
}

// Store keeps the subscriptions and the VAPID key pair (both backends).
type Store interface {
	// PutPushSubscription inserts s or, when its endpoint is stored,
	// replaces the row's attendee, keys, categories and label (Created
	// stays the first subscription's).
	PutPushSubscription(ctx context.Context, s Subscription) error
	// DeletePushSubscription deletes the attendee's subscription with the
	// endpoint and reports whether there was one.
	DeletePushSubscription(ctx context.Context, attendeeID, endpoint string) (bool, error)
	// PushSubscriptions lists the attendee's subscriptions, oldest first
	// (an empty list when none).
	PushSubscriptions(ctx context.Context, attendeeID string) ([]Subscription, error)
	// SharedVAPIDKeys stores candidate unless a key pair is stored
	// already, and returns the stored pair: every node signs alike, and
	// two nodes starting at once end with one pair.
	SharedVAPIDKeys(ctx context.Context, candidate Keys, at time.Time) (Keys, error)
}

// EncodeCategories is the stored form of a category list ("offer,leave").
func EncodeCategories(cs []notify.Category) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = string(c)
	}
	return strings.Join(parts, ",")
}

// DecodeCategories reads EncodeCategories' form back; unknown names (a
// category since removed) are dropped.
func DecodeCategories(s string) []notify.Category {
	out := []notify.Category{}
	for part := range strings.SplitSeq(s, ",") {
		if c := notify.Category(part); c.Valid() {
			out = append(out, c)
		}
	}
	return out
}

// NormalizeCategories validates a device's choice and puts it in
// notify.Categories order without repeats; nil means every category.
func NormalizeCategories(in []string) ([]notify.Category, error) {
	if in == nil {
		return notify.Categories[:], nil
	}
	if len(in) > 2*len(notify.Categories) {
		return nil, errcode.New(errcode.Invalid, "categories: at most %d entries", 2*len(notify.Categories))
	}
	seen := map[notify.Category]bool{}
	for _, name := range in {
		c := notify.Category(name)
		if !c.Valid() {
			return nil, errcode.New(errcode.Invalid, "categories: %q is not one of %s", name, EncodeCategories(notify.Categories[:]))
		}
		seen[c] = true
	}
	out := []notify.Category{}
	for _, c := range notify.Categories {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// SubscriptionInput is a device's subscribe request: the PushSubscription
// (toJSON's endpoint and keys), the categories it wants (nil: all) and a
// label.
type SubscriptionInput struct {
	Endpoint   string
	P256dh     string
	Auth       string
	Categories []string
	Label      string
}

// Validate checks the input and returns the subscription to store for
// the attendee (Created unset).
func (in SubscriptionInput) Validate(attendeeID string) (Subscription, error) {
	if err := ValidateEndpoint(in.Endpoint); err != nil {
		return Subscription{}, err
	}
	p, err := decodeKey(in.P256dh)
	if err != nil || len(p) != 65 {
		return Subscription{}, errcode.New(errcode.Invalid, "keys.p256dh must be base64url of a 65-byte uncompressed P-256 public key")
	}
	if _, err := ecdh.P256().NewPublicKey(p); err != nil {
		return Subscription{}, errcode.New(errcode.Invalid, "keys.p256dh is not a point on P-256")
	}
	if a, err := decodeKey(in.Auth); err != nil || len(a) != 16 {
		return Subscription{}, errcode.New(errcode.Invalid, "keys.auth must be base64url of a 16-byte secret")
	}
	cats, err := NormalizeCategories(in.Categories)
	if err != nil {
		return Subscription{}, err
	}
	return Subscription{
		Endpoint:   in.Endpoint,
		AttendeeID: attendeeID,
		// Stored canonical: base64url without padding.
		P256dh:     base64.RawURLEncoding.EncodeToString(p),
		Auth:       base64.RawURLEncoding.EncodeToString(mustDecode(in.Auth)),
		Categories: cats,
		Label:      ShortLabel(in.Label),
	}, nil
}

// ValidateEndpoint accepts an https URL (http only to this machine, for
// tests and development) of at most MaxEndpoint bytes.
func ValidateEndpoint(endpoint string) error {
	if endpoint == "" {
		return errcode.New(errcode.Invalid, "endpoint is required")
	}
	if len(endpoint) > MaxEndpoint {
		return errcode.New(errcode.Invalid, "endpoint: at most %d bytes", MaxEndpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errcode.New(errcode.Invalid, "endpoint must be an absolute https URL without credentials or fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || isLoopback(h) {
			return nil
		}
	}
	return errcode.New(errcode.Invalid, "endpoint must be an https URL (http only for localhost)")
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ShortLabel trims a User-Agent or label to MaxLabel characters.
func ShortLabel(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if utf8.RuneCountInString(s) <= MaxLabel {
		return s
	}
	r := []rune(s)
	return string(r[:MaxLabel-1]) + "…"
}

// decodeKey reads base64url with or without padding (what browsers give)
// and, leniently, standard base64.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func mustDecode(s string) []byte {
	b, _ := decodeKey(s)
	return b
}
