package httpapi

import (
	"net/http"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/httpx"
)

func (a *API) favorites(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Accounts.Favorites(r.Context(), a.Live.Load().Snap, u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"favorites": list})
}

func (a *API) putFavorite(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in struct {
		Priority string `json:"priority"`
	}
	if err := httpx.DecodeJSON(w, r, maxAccountBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := account.ParsePriority(in.Priority)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fav, err := a.Accounts.SetFavorite(r.Context(), a.Live.Load().Snap, u.ID, r.PathValue("sessionId"), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, fav)
}

func (a *API) deleteFavorite(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Accounts.RemoveFavorite(r.Context(), a.Live.Load().Snap, u.ID, r.PathValue("sessionId")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// favoriteChangesJSON is the answer of both sync calls.
type favoriteChangesJSON struct {
	Changes []account.SyncChange `json:"changes"`
	Cursor  string               `json:"cursor"`
}

// maxSyncBody fits MaxSyncChanges changes of long ids.
const maxSyncBody = 128 << 10

func (a *API) favoriteChanges(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, cursor, err := a.Accounts.FavoriteChanges(r.Context(), u.ID, r.URL.Query().Get("since"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	httpx.WriteJSON(w, http.StatusOK, favoriteChangesJSON{Changes: list, Cursor: cursor})
}

func (a *API) syncFavorites(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in struct {
		Changes []account.SyncInput `json:"changes"`
		Since   string              `json:"since"`
	}
	if err := httpx.DecodeJSON(w, r, maxSyncBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	list, cursor, err := a.Accounts.SyncFavorites(r.Context(), a.Live.Load().Snap, u.ID, in.Changes, in.Since)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	httpx.WriteJSON(w, http.StatusOK, favoriteChangesJSON{Changes: list, Cursor: cursor})
}

type blockJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Start   string `json:"start"`
	End     string `json:"end"`
	VenueID string `json:"venueId,omitempty"`
}

func newBlockJSON(snap *conference.Snapshot, b account.Block) blockJSON {
	return blockJSON{
		ID: b.ID, Title: b.Title, VenueID: b.VenueID,
		Start: snap.Local(b.Start).Format(time.RFC3339), End: snap.Local(b.End).Format(time.RFC3339),
	}
}

func (a *API) blocks(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Accounts.Blocks(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	out := make([]blockJSON, len(list))
	for i, b := range list {
		out[i] = newBlockJSON(snap, b)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"blocks": out})
}

func (a *API) addBlock(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in account.BlockInput
	if err := httpx.DecodeJSON(w, r, maxAccountBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	snap := a.Live.Load().Snap
	b, err := a.Accounts.AddBlock(r.Context(), snap, u.ID, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/me/blocks/"+b.ID)
	httpx.WriteJSON(w, http.StatusCreated, newBlockJSON(snap, b))
}

func (a *API) deleteBlock(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	if err := a.Accounts.DeleteBlock(r.Context(), u.ID, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
