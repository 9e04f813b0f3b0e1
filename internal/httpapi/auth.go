package httpapi

import (
	"net/http"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
)

// maxAccountBody bounds every accounts, favourites and blocks request body.
const maxAccountBody = 64 << 10

// registerAccounts adds sign-up/in/out, /me and the attendee's favourites
// and blocks.
func (a *API) registerAccounts(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth/signup", a.signup)
	mux.HandleFunc("POST /api/v1/auth/login", a.login)
	mux.HandleFunc("POST /api/v1/auth/logout", a.logout)
	mux.HandleFunc("GET /api/v1/me", a.me)
	mux.HandleFunc("GET /api/v1/me/favorites", a.favorites)
	mux.HandleFunc("PUT /api/v1/me/favorites/{sessionId}", a.putFavorite)
	mux.HandleFunc("DELETE /api/v1/me/favorites/{sessionId}", a.deleteFavorite)
	mux.HandleFunc("GET /api/v1/me/favorites/changes", a.favoriteChanges)
	mux.HandleFunc("POST /api/v1/me/favorites/changes", a.syncFavorites)
	mux.HandleFunc("GET /api/v1/me/blocks", a.blocks)
	mux.HandleFunc("POST /api/v1/me/blocks", a.addBlock)
	mux.HandleFunc("DELETE /api/v1/me/blocks/{id}", a.deleteBlock)
	mux.HandleFunc("GET /api/v1/admin/whoami", a.whoami)
}

// requireUser returns the signed-in user, or writes 401 unauthorized.
func (a *API) requireUser(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u, ok := httpx.UserFrom(r.Context())
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="venuehop"`)
		a.fail(w, r, errcode.New(errcode.Unauthorized, "sign in first: send Authorization: Bearer TOKEN (from POST /api/v1/auth/login)"))
		return nil, false
	}
	return u, true
}

// requireOrganizer returns the signed-in organizer or admin; anyone else
// gets 403 forbidden (401 when not signed in).
func (a *API) requireOrganizer(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return nil, false
	}
	if !u.Role.CanOrganize() {
		a.fail(w, r, errcode.New(errcode.Forbidden, "this needs the organizer or admin role"))
		return nil, false
	}
	return u, true
}

type credentialsJSON struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name,omitempty"`
	// Code is the one-time sign-up code of a registered attendee.
	Code string `json:"code,omitempty"`
}

type tokenJSON struct {
	Token string       `json:"token"`
	User  account.User `json:"user"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) {
	var in credentialsJSON
	if err := httpx.DecodeJSON(w, r, maxAccountBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	u, tok, err := a.Accounts.Register(r.Context(), account.SignUp{
		Email: in.Email, Password: in.Password, Name: in.Name, Code: in.Code, IP: httpx.ClientIP(r),
	}, account.APIToken)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.Logger.Info("account: signed up", "user", u.ID)
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, tokenJSON{tok, *u})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, maxAccountBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	u, tok, err := a.Accounts.Login(r.Context(), in.Email, in.Password, httpx.ClientIP(r), account.APIToken)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, tokenJSON{tok, *u})
}

// logout revokes the token the request came with (Bearer or cookie).
func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireUser(w, r); !ok {
		return
	}
	tok, viaCookie := httpx.PresentedToken(r)
	if err := a.Accounts.Logout(r.Context(), tok); err != nil {
		a.fail(w, r, err)
		return
	}
	if viaCookie {
		httpx.ClearSessionCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, u)
}

// whoami is the smallest organizer-only endpoint: it lets clients (and the
// tests) check a token's role.
func (a *API) whoami(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireOrganizer(w, r)
	if !ok {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}
