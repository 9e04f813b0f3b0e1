package account

import (
	"context"
	"time"

	"venuehop/internal/errcode"
)

// Store is what the account service needs from a storage backend. Every
// method is scoped by the user id it is given: none reads or changes another
// user's data. Errors are coded (errcode): NotFound for a missing row.
type Store interface {
	// CreateUser stores a new user with its password hash ("" = cannot sign
	// in with a password). An email already in use is errcode.Conflict.
	CreateUser(ctx context.Context, u User, passwordHash string) error
	// UserByEmail returns the user with the (normalised) email and its
	// password hash.
	UserByEmail(ctx context.Context, email string) (User, string, error)
	UserByID(ctx context.Context, id string) (User, error)
	// SetPassword replaces a user's password hash.
	SetPassword(ctx context.Context, userID, passwordHash string) error

	// CreateToken stores a sign-in session or API token (its hash).
	CreateToken(ctx context.Context, t Token) error
	// TokenUser returns the token with the hash and its user, expired or
	// not (the caller checks ExpiresAt).
	TokenUser(ctx context.Context, hash TokenHash) (User, Token, error)
	// DeleteToken removes a token; removing a missing one is not an error.
	DeleteToken(ctx context.Context, hash TokenHash) error
	// DeleteExpiredTokens removes tokens that expired before now.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)

	// PutFavorite sets (or overwrites) the user's favourite of a content.
	PutFavorite(ctx context.Context, f Favorite) error
	// DeleteFavorite removes the user's favourite of a content, if any.
	DeleteFavorite(ctx context.Context, userID, repeatGroup string) error
	// Favorites returns the user's favourites.
	Favorites(ctx context.Context, userID string) ([]Favorite, error)

	FavoriteSyncStore

	// AddBlock stores a block unless the user already has limit blocks
	// (then errcode.Invalid, unprocessable), atomically.
	AddBlock(ctx context.Context, b Block, limit int) error
	// Blocks returns the user's blocks by start.
	Blocks(ctx context.Context, userID string) ([]Block, error)
	// DeleteBlock removes the user's block; a missing block or another
	// user's is errcode.NotFound.
	DeleteBlock(ctx context.Context, userID, blockID string) error

	SettingsStore
	RegistryStore
}

// Priority is how much an attendee wants a content.
type Priority string

const (
	Must  Priority = "must"
	Want  Priority = "want"
	Maybe Priority = "maybe"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p == Must || p == Want || p == Maybe }

// Favorite is one starred content (repeat group) of one user. SessionID is
// the sitting it was starred through, the one pages link to.
type Favorite struct {
	UserID      string
	RepeatGroup string
	SessionID   string
	Priority    Priority
	UpdatedAt   time.Time
}

// FavoriteChange is the current state of one content's favourite of one
// user, as favourites sync exchanges it: starred (with a priority) or a
// tombstone (Starred false), the server time it was set at, and Seq, the
// store's sequence number of that write (the sync cursor). A content has
// one state; every write replaces it with a new, higher Seq.
type FavoriteChange struct {
	RepeatGroup string
	SessionID   string
	Starred     bool
	Priority    Priority // "" on a tombstone
	At          time.Time
	Seq         int64
}

// FavoriteSyncStore keeps the favourites' change log. PutFavorite and
// DeleteFavorite record their change in it too (DeleteFavorite a
// tombstone, even of a content never starred), so the log and the
// favourites always agree: the favourites are exactly the starred states.
type FavoriteSyncStore interface {
	// ApplyFavoriteChanges applies the user's changes in order (a starred
	// one sets the favourite, a tombstone removes it), each getting a new
	// sequence number higher than any before, all in one transaction; the
	// last change of a content wins. More than limit states (starred or
	// tombstone) for the user afterwards is errcode.Invalid (unprocessable)
	// and nothing changes. Seq and UserID of the input are ignored; it
	// returns the stored changes.
	ApplyFavoriteChanges(ctx context.Context, userID string, changes []FavoriteChange, limit int) ([]FavoriteChange, error)
	// FavoriteChanges returns the user's states with Seq > since, by Seq,
	// and the user's highest Seq (0 when none).
	FavoriteChanges(ctx context.Context, userID string, since int64) ([]FavoriteChange, int64, error)
}

// Block is a personal appointment (lunch with a colleague, a meeting) that
// planning treats as busy time.
type Block struct {
	ID        string
	UserID    string
	Title     string
	Start     time.Time
	End       time.Time
	VenueID   string // optional: where it happens, for travel
	CreatedAt time.Time
}

// SettingsStore keeps the organizer's settings (the sign-up mode) and the
// server's own (the device key), shared by every node on the store.
type SettingsStore interface {
	// Setting returns a stored setting; errcode.NotFound when unset.
	Setting(ctx context.Context, name string) (string, error)
	// PutSetting stores (or replaces) a setting.
	PutSetting(ctx context.Context, name, value string) error
	// InitSetting stores value unless the setting is set, and returns the
	// stored one: of several nodes starting at once, the first one wins.
	InitSetting(ctx context.Context, name, value string) (string, error)
}

// Registration is one attendee on the organizer's list: who may claim an
// account in registered-only sign-up, with the one-time code that proves
// it. Code is "" once claimed (UserID then names the account).
type Registration struct {
	Email     string    `json:"email"` // normalised
	Name      string    `json:"name"`
	BadgeID   string    `json:"badgeId"`
	Code      string    `json:"code,omitempty"`
	UserID    string    `json:"userId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	ClaimedAt time.Time `json:"claimedAt,omitzero"`
}

// RegistryStore keeps the attendee list.
type RegistryStore interface {
	// PutRegistrations adds the registrations whose email is new (with
	// their codes) and updates the name and badge id of the others (their
	// code and claim stay), all or nothing. A registration whose email
	// already has an account is stored as claimed by it (no code). A
	// badge id in use by another email is errcode.Conflict.
	PutRegistrations(ctx context.Context, list []Registration) (added, updated int, err error)
	// Registrations returns the list by email.
	Registrations(ctx context.Context) ([]Registration, error)
	// ClaimRegistration creates u (with passwordHash; an empty u.Name takes
	// the registration's) as the account of the registration with u.Email, if that registration is unclaimed and its
	// code is code, and marks it claimed, in one transaction. Anything
	// else (no such registration, another code, already claimed, an
	// account with that email) is errcode.NotFound, and nothing changes.
	ClaimRegistration(ctx context.Context, code string, u User, passwordHash string) error
}

// FavoriteLimitError is the error of a sync that would keep more than
// limit favourite states for one user.
func FavoriteLimitError(limit int) error {
	e := errcode.New(errcode.Invalid, "at most %d favourites and removed favourites are kept per attendee", limit)
	e.Unprocessable = true
	return e
}
