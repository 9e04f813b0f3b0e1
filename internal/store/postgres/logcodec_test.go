package postgres

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"venuehop/internal/reservation"
)

// TestLogCodecRoundTrip: every field of every kind survives the log's
// binary format; entries written as JSON by earlier versions still decode;
// a damaged entry is an error, not a wrong op.
func TestLogCodecRoundTrip(t *testing.T) {
	at := time.UnixMilli(1_795_000_000_123).UTC()
	ops := []reservation.Op{
		{Kind: reservation.OpReserve, Attendee: "u_ä", SessionID: "S 1", At: at},
		{Kind: reservation.OpEndReservation, Attendee: "u_a", SessionID: "S1", State: reservation.StateLapsed, At: at},
		{Kind: reservation.OpOfferOpen, OfferID: "o_1", Attendee: "u_b", SessionID: "S1", At: at, Expires: at.Add(time.Hour)},
		{Kind: reservation.OpWaitAdd, Attendee: "u_c", SessionID: "S1", Seq: -3, At: at},
		{Kind: reservation.OpIdempotency, Attendee: "u_d", Key: strings.Repeat("k", 200), Hash: []byte{0, 1, 2}, Body: []byte("{\"results\":[]}\n"), At: at},
		{Kind: reservation.OpSetAutoAccept, Attendee: "u_e", Flag: true},
		{Kind: reservation.OpQuota, Attendee: "u_f", Seq: 10, At: at},
		{Kind: reservation.OpPruneIdempotency, At: at},
		{Kind: reservation.OpConference, Seq: 7},
	}
	body, err := encodeOps(ops)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeOps(body)
	if err != nil || !reflect.DeepEqual(got, ops) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, ops)
	}
	old := []logOp{{Kind: reservation.OpReserve, Attendee: "u_a", SessionID: "S1", At: func() *int64 { v := at.UnixMilli(); return &v }()}}
	js, _ := json.Marshal(old)
	if got, err := decodeOps(js); err != nil || len(got) != 1 || !got[0].At.Equal(at) || got[0].Attendee != "u_a" {
		t.Errorf("an earlier JSON entry: %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x02}, body[:len(body)-3]} {
		if _, err := decodeOps(bad); err == nil {
			t.Errorf("a damaged entry %x decoded", bad)
		}
	}
}
