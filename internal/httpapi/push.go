package httpapi

import (
	"net/http"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/notify"
	"venuehop/internal/webpush"
)

// maxPushBody bounds a subscribe or unsubscribe request (an endpoint of
// at most 2 KiB, two keys, the categories and a label).
const maxPushBody = 8 << 10

// registerPush adds the Web Push endpoints: the VAPID public key and the
// signed-in attendee's devices.
func (a *API) registerPush(mux *http.ServeMux) {
	if a.Push == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/push/key", a.pushKey)
	mux.HandleFunc("PUT /api/v1/me/push/subscription", a.pushSubscribe)
	mux.HandleFunc("DELETE /api/v1/me/push/subscription", a.pushUnsubscribe)
	mux.HandleFunc("GET /api/v1/me/push/subscriptions", a.pushDevices)
}

// pushKey is the VAPID public key, the applicationServerKey a browser
// subscribes with (public: it is no secret, and the same on every node).
func (a *API) pushKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"publicKey": a.Push.PublicKey(), "categories": notify.Categories})
}

// pushSubscriptionBody is PushSubscription.toJSON() plus the device's
// choices.
type pushSubscriptionBody struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"` // toJSON sends it; not used
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	Categories []string `json:"categories"`
	Label      string   `json:"label"`
}

type pushDeviceJSON struct {
	Endpoint   string            `json:"endpoint"`
	Categories []notify.Category `json:"categories"`
	Label      string            `json:"label"`
	Created    time.Time         `json:"created"`
}

func newPushDeviceJSON(s webpush.Subscription) pushDeviceJSON {
	return pushDeviceJSON{Endpoint: s.Endpoint, Categories: s.Categories, Label: s.Label, Created: s.Created.UTC()}
}

// pushSubscribe is PUT /api/v1/me/push/subscription: subscribe this
// device, or change its categories (the same endpoint again).
func (a *API) pushSubscribe(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	var in pushSubscriptionBody
	if err := httpx.DecodeJSON(w, r, maxPushBody, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	label := in.Label
	if label == "" {
		label = r.UserAgent()
	}
	sub, err := a.Push.Subscribe(r.Context(), u.ID, webpush.SubscriptionInput{Endpoint: in.Endpoint, P256dh: in.Keys.P256dh,
		Auth: in.Keys.Auth, Categories: in.Categories, Label: label})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, newPushDeviceJSON(sub))
}

// pushUnsubscribe is DELETE /api/v1/me/push/subscription {endpoint} (or
// ?endpoint=): this attendee's device stops receiving pushes.
func (a *API) pushUnsubscribe(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	endpoint := r.URL.Query().Get("endpoint")
	if endpoint == "" {
		var in struct {
			Endpoint string `json:"endpoint"`
		}
		if err := httpx.DecodeJSON(w, r, maxPushBody, &in); err != nil {
			a.fail(w, r, errcode.New(errcode.Invalid, "send {\"endpoint\": URL} or ?endpoint=URL: %v", err))
			return
		}
		endpoint = in.Endpoint
	}
	if err := a.Push.Unsubscribe(r.Context(), u.ID, endpoint); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pushDevices is GET /api/v1/me/push/subscriptions: this attendee's
// devices and what each receives (the keys stay on the server).
func (a *API) pushDevices(w http.ResponseWriter, r *http.Request) {
	u, ok := a.requireUser(w, r)
	if !ok {
		return
	}
	list, err := a.Push.Devices(r.Context(), u.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]pushDeviceJSON, len(list))
	for i, s := range list {
		out[i] = newPushDeviceJSON(s)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"devices": out})
}
