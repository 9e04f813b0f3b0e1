package web

import (
	"testing"

	"venuehop/internal/reservation"
)

// TestFlashCodesNeverChange pins the codes of the flash cookie: a page may
// read a cookie that another node or an older version set.
func TestFlashCodesNeverChange(t *testing.T) {
	for _, tc := range []struct {
		code flashCode
		want string
	}{
		{flashAccepted, "accepted"}, {flashGaveUp, "gave_up"}, {flashNone, "none"}, {flashReleased, "released"},
		{flashWaiting, "waiting"}, {flashLeft, "left"}, {flashNotWaiting, "not_waiting"}, {flashHasOffer, "has_offer"},
		{flashSeatsFree, "seats_free"}, {flashDeclined, "declined"}, {flashOfferExpired, "offer_expired"},
		{flashOfferEnded, "offer_ended"}, {flashAutoOn, "auto_on"}, {flashAutoOff, "auto_off"}, {flashSlow, "slow"},
		{flashMessage, "message"}, {statusFlash(reservation.Full), "full"},
	} {
		if string(tc.code) != tc.want {
			t.Errorf("flash code %q must stay %q", tc.code, tc.want)
		}
		if f, ok := decodeFlash(flash{Code: tc.code, SessionID: "s.1", Extra: "x y"}.encode()); !ok || f.Code != tc.code || f.SessionID != "s.1" {
			t.Errorf("flash %q does not survive its cookie: %+v", tc.code, f)
		}
	}
}
