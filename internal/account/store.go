package account

import (
	"context"
	"time"
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

	// AddBlock stores a block unless the user already has limit blocks
	// (then errcode.Invalid, unprocessable), atomically.
	AddBlock(ctx context.Context, b Block, limit int) error
	// Blocks returns the user's blocks by start.
	Blocks(ctx context.Context, userID string) ([]Block, error)
	// DeleteBlock removes the user's block; a missing block or another
	// user's is errcode.NotFound.
	DeleteBlock(ctx context.Context, userID, blockID string) error
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
