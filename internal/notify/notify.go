// Package notify is what venuehop tells one attendee when no page may be
// open: a seat offer, "leave now", a planned session moved or cancelled, a
// recording published. A Notice is kept (the notices page and the header
// badge read it) and handed to every Sender (Web Push); it is the one shape
// both agree on.
package notify

import (
	"context"
	"time"
)

// Category groups notices for the attendee's preferences.
type Category string

// The categories, in the order the preferences page lists them.
const (
	CategoryOffer     Category = "offer"     // a waitlist seat is held for you
	CategoryLeave     Category = "leave"     // leave now for your next session
	CategoryChange    Category = "change"    // a planned session moved or was cancelled
	CategoryRecording Category = "recording" // a recording of a session you missed
)

// Categories lists every category.
var Categories = [...]Category{CategoryOffer, CategoryLeave, CategoryChange, CategoryRecording}

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Urgency is RFC 8030's Urgency header value.
type Urgency string

// RFC 8030 urgencies.
const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

// Notice is one message for one attendee.
type Notice struct {
	ID         string   `json:"id"`
	AttendeeID string   `json:"attendeeId"`
	Category   Category `json:"category"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	URL        string   `json:"url"` // a path inside the app the notice opens
	SessionID  string   `json:"sessionId,omitempty"`
	OfferID    string   `json:"offerId,omitempty"`
	// Topic, when set, makes a later notice with the same Topic replace
	// this one (RFC 8030 Topic; the notices page keeps only the newest).
	Topic   string    `json:"topic,omitempty"`
	Urgency Urgency   `json:"urgency"`
	Expires time.Time `json:"expires"` // no use after this (the push TTL ends here)
	Created time.Time `json:"created"`
}

// Sender delivers a notice outside the app (Web Push). Send must not keep
// n after it returns and must honour ctx.
type Sender interface {
	Send(ctx context.Context, n Notice) error
}
