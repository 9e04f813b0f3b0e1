// Package conference is venuehop's domain model: a conference, its venues,
// rooms and sessions, and the immutable Snapshot every read is served from.
// It does no I/O. The JSON tags are the native conference file format
// (docs/conference.schema.json); a Problem's Path uses the same names.
package conference

import (
	"time"
)

// FormatVersion names the native file format this code reads and writes.
const FormatVersion = "venuehop/1"

// Conference is the whole catalog of one event, as stored and as exchanged in
// the native JSON file.
type Conference struct {
	Format   string `json:"format"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"` // IANA name, e.g. America/Los_Angeles
	// Days are the civil dates of the event in its zone, YYYY-MM-DD, ascending.
	Days     []string  `json:"days"`
	Venues   []Venue   `json:"venues"`
	Rooms    []Room    `json:"rooms"`
	Sessions []Session `json:"sessions"`
	// Meals are the windows in which a venue serves food (breakfast, lunch).
	Meals []Meal `json:"meals,omitempty"`
	// Expo is the exhibition hall, when the event has one.
	Expo *Expo `json:"expo,omitempty"`
	// Travel is the travel model between and inside venues; nil means the
	// fallback estimate from venue coordinates is used.
	Travel *TravelModel `json:"travel,omitempty"`
}

// Venue is one building or resort.
type Venue struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Address string  `json:"address,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	// AccessMinutes is the walk from the venue's door to any of its rooms
	// when the travel model lists none (0: the model's default). A campus
	// building is a minute or two; a resort's convention floor is ten.
	AccessMinutes int `json:"accessMinutes,omitempty"`
}

// Room is a place where sessions happen.
type Room struct {
	ID       string `json:"id"`
	VenueID  string `json:"venueId"`
	Level    string `json:"level"` // e.g. "Level 2"
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
}

// Speaker presents a session.
type Speaker struct {
	Name    string `json:"name"`
	Company string `json:"company,omitempty"`
}

// Session is one sitting: a content (title, abstract, ...) at a time in a
// room. The sittings of the same content share RepeatGroup.
type Session struct {
	ID           string    `json:"id"`
	Code         string    `json:"code,omitempty"`
	Title        string    `json:"title"`
	Abstract     string    `json:"abstract,omitempty"`
	Type         string    `json:"type"`
	Level        int       `json:"level,omitempty"` // 100..500, 0 when unknown
	Topics       []string  `json:"topics,omitempty"`
	Speakers     []Speaker `json:"speakers,omitempty"`
	RoomID       string    `json:"roomId,omitempty"` // empty: unscheduled
	Start        time.Time `json:"start,omitzero"`
	End          time.Time `json:"end,omitzero"`
	Reservable   bool      `json:"reservable"`
	Recorded     bool      `json:"recorded"`
	RecordingURL string    `json:"recordingUrl,omitempty"`
	// StreamURL is where the session is streamed live (a keynote), if it is.
	StreamURL string `json:"streamUrl,omitempty"`
	// RepeatGroup names the content; empty means the session's own ID.
	RepeatGroup string `json:"repeatGroup,omitempty"`
	// OverflowRoomIDs are rooms that show a keynote live on screens.
	OverflowRoomIDs []string `json:"overflowRoomIds,omitempty"`
	// Capacity overrides the reservable capacity derived from the room.
	Capacity  *int `json:"capacity,omitempty"`
	Cancelled bool `json:"cancelled,omitempty"`
}

// Scheduled reports whether the session has a time and a room.
func (s *Session) Scheduled() bool { return s.RoomID != "" && !s.Start.IsZero() }

// Group returns the repeat group, which defaults to the session's own ID.
func (s *Session) Group() string {
	if s.RepeatGroup != "" {
		return s.RepeatGroup
	}
	return s.ID
}

// Minutes is the session's length.
func (s *Session) Minutes() int { return int(s.End.Sub(s.Start) / time.Minute) }

// Overlaps reports whether two time intervals [aStart,aEnd) and [bStart,bEnd) overlap.
func Overlaps(aStart, aEnd, bStart, bEnd time.Time) bool {
	return aStart.Before(bEnd) && bStart.Before(aEnd)
}

// Session types used by the demo and by re:Invent's catalog. Imports may
// bring any other type string.
const (
	TypeKeynote          = "Keynote"
	TypeBreakout         = "Breakout session"
	TypeChalkTalk        = "Chalk talk"
	TypeWorkshop         = "Workshop"
	TypeBuildersSession  = "Builders' session"
	TypeLightningTalk    = "Lightning talk"
	TypeCodeTalk         = "Code talk"
	TypeGamifiedLearning = "Gamified learning"
	TypeInnovationTalk   = "Innovation talk"
	TypeBootcamp         = "Bootcamp"
)

// Meal is a window in which a venue serves a meal.
type Meal struct {
	VenueID string    `json:"venueId"`
	Kind    string    `json:"kind"` // breakfast | lunch | dinner
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// Expo is the exhibition hall and its opening hours.
type Expo struct {
	VenueID string     `json:"venueId"`
	RoomID  string     `json:"roomId,omitempty"`
	Hours   []Interval `json:"hours,omitempty"`
}

// Interval is a span of time.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}
