package reservation_test

import (
	"testing"

	"venuehop/internal/reservation"
)

// TestOpKindNumbersNeverChange pins the numbers of the op kinds: they are
// stored in the shared seat log and read back by other nodes, possibly of
// another version. A kind may be added at the end; none may be renumbered.
func TestOpKindNumbersNeverChange(t *testing.T) {
	for _, tc := range []struct {
		kind reservation.OpKind
		want uint8
	}{
		{reservation.OpReserve, 1},
		{reservation.OpEndReservation, 2},
		{reservation.OpLapseSession, 3},
		{reservation.OpCancelSession, 4},
		{reservation.OpWaitAdd, 5},
		{reservation.OpWaitRemove, 6},
		{reservation.OpOfferOpen, 7},
		{reservation.OpOfferEnd, 8},
		{reservation.OpCheckIn, 9},
		{reservation.OpIdempotency, 10},
		{reservation.OpSetAutoAccept, 11},
		{reservation.OpPruneIdempotency, 12},
		{reservation.OpQuota, 13},
		{reservation.OpConference, 14},
	} {
		if uint8(tc.kind) != tc.want {
			t.Errorf("op kind %d must stay %d", tc.kind, tc.want)
		}
	}
}

// TestStoredAndSentValuesNeverChange pins the strings clients read (the
// statuses of a reservation batch, the kinds of a change event) and the
// states the stores keep.
func TestStoredAndSentValuesNeverChange(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{string(reservation.Reserved), "reserved"},
		{string(reservation.Already), "already"},
		{string(reservation.Full), "full"},
		{string(reservation.Conflict), "conflict"},
		{string(reservation.CapReached), "cap_reached"},
		{string(reservation.NotOpen), "not_open"},
		{string(reservation.Closed), "closed"},
		{string(reservation.NotReservable), "not_reservable"},
		{string(reservation.Cancelled), "cancelled"},
		{string(reservation.Unknown), "unknown"},
		{string(reservation.StateActive), "active"},
		{string(reservation.StateCancelled), "cancelled"},
		{string(reservation.StateLapsed), "lapsed"},
		{string(reservation.StateSessionCancelled), "session_cancelled"},
		{string(reservation.OfferOpen), "open"},
		{string(reservation.OfferAccepted), "accepted"},
		{string(reservation.OfferDeclined), "declined"},
		{string(reservation.OfferExpired), "expired"},
		{string(reservation.OfferWithdrawn), "withdrawn"},
		{string(reservation.ChangeMoved), "moved"},
		{string(reservation.ChangeCancelled), "cancelled"},
		{string(reservation.ChangeCapacity), "capacity"},
	} {
		if tc.got != tc.want {
			t.Errorf("value %q must stay %q", tc.got, tc.want)
		}
	}
}
