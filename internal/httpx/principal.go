package httpx

import (
	"context"

	"venuehop/internal/account"
)

type principalKey struct{}

// WithUser returns a context that carries the signed-in user. The auth
// middleware sets it once per request; handlers read it with UserFrom.
func WithUser(ctx context.Context, u *account.User) context.Context {
	return context.WithValue(ctx, principalKey{}, u)
}

// UserFrom returns the signed-in user, if any.
func UserFrom(ctx context.Context) (*account.User, bool) {
	u, ok := ctx.Value(principalKey{}).(*account.User)
	return u, ok && u != nil
}
