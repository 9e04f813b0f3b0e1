package postgres

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
)

// How a log entry's ops are stored (seat_log.ops). Other nodes decode
// every entry they replay, some of them while they hold the log's lock
// (ApplyLocked), so the format is a compact binary one: decoding a rush
// batch of some 160 ops took 1.5 ms as JSON, the codec below a small
// fraction of that.
//
//	entry := 0x01 count:uvarint op*
//	op    := kind:uvarint fields:uvarint [value for each field set, in bit order]
//
// Strings and byte slices are a uvarint length and the bytes; Seq is a
// varint; instants are varint Unix milliseconds (the seat tables'
// precision, decoded in UTC); Flag is its bit alone. The conference of an
// OpConference is not kept: other nodes load the revision. Entries
// written as JSON by earlier venuehops (they start with '[') are still
// read.
const logFormat = 0x01

const (
	fAttendee = 1 << iota
	fSession
	fOffer
	fState
	fKey
	fSeq
	fAt
	fExpires
	fHash
	fBody
	fFlag
)

func encodeOps(ops []reservation.Op) ([]byte, error) {
	size := 1
	for i := range ops {
		op := &ops[i]
		size += 4 + len(op.Attendee) + len(op.SessionID) + len(op.OfferID) + len(op.State) + len(op.Key) +
			len(op.Hash) + len(op.Body) + 6*binary.MaxVarintLen64
	}
	b := make([]byte, 1, size)
	b[0] = logFormat
	b = binary.AppendUvarint(b, uint64(len(ops)))
	str := func(set bool, s string) {
		if set {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	for i := range ops {
		op := &ops[i]
		var f uint64
		for bit, set := range [...]bool{op.Attendee != "", op.SessionID != "", op.OfferID != "", op.State != "", op.Key != "",
			op.Seq != 0, !op.At.IsZero(), !op.Expires.IsZero(), len(op.Hash) > 0, len(op.Body) > 0, op.Flag} {
			if set {
				f |= 1 << bit
			}
		}
		b = binary.AppendUvarint(b, uint64(op.Kind))
		b = binary.AppendUvarint(b, f)
		str(f&fAttendee != 0, op.Attendee)
		str(f&fSession != 0, op.SessionID)
		str(f&fOffer != 0, op.OfferID)
		str(f&fState != 0, string(op.State))
		str(f&fKey != 0, op.Key)
		if f&fSeq != 0 {
			b = binary.AppendVarint(b, op.Seq)
		}
		if f&fAt != 0 {
			b = binary.AppendVarint(b, op.At.UnixMilli())
		}
		if f&fExpires != 0 {
			b = binary.AppendVarint(b, op.Expires.UnixMilli())
		}
		str(f&fHash != 0, string(op.Hash))
		str(f&fBody != 0, string(op.Body))
	}
	return b, nil
}

var errBadEntry = errors.New("truncated or malformed seat log entry")

func decodeOps(body []byte) ([]reservation.Op, error) {
	if len(body) > 0 && body[0] == '[' {
		return decodeJSONOps(body)
	}
	if len(body) == 0 || body[0] != logFormat {
		return nil, errBadEntry
	}
	d := logDecoder{b: body[1:]}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		return nil, errBadEntry
	}
	ops := make([]reservation.Op, 0, n)
	for range n {
		var op reservation.Op
		op.Kind = reservation.OpKind(d.uvarint())
		f := d.uvarint()
		if f&fAttendee != 0 {
			op.Attendee = d.str()
		}
		if f&fSession != 0 {
			op.SessionID = d.str()
		}
		if f&fOffer != 0 {
			op.OfferID = d.str()
		}
		if f&fState != 0 {
			op.State = reservation.State(d.str())
		}
		if f&fKey != 0 {
			op.Key = d.str()
		}
		if f&fSeq != 0 {
			op.Seq = d.varint()
		}
		if f&fAt != 0 {
			op.At = fromMS(d.varint())
		}
		if f&fExpires != 0 {
			op.Expires = fromMS(d.varint())
		}
		if f&fHash != 0 {
			op.Hash = []byte(d.str())
		}
		if f&fBody != 0 {
			op.Body = []byte(d.str())
		}
		op.Flag = f&fFlag != 0
		ops = append(ops, op)
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = errBadEntry // trailing bytes
	}
	if d.err != nil {
		return nil, d.err
	}
	return ops, nil
}

type logDecoder struct {
	b   []byte
	err error
}

func (d *logDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *logDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *logDecoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *logDecoder) fail() {
	if d.err == nil {
		d.err = errBadEntry
	}
	d.b = nil
}

// logOp is an Op as earlier venuehops kept it in the log: JSON with short
// names, empty fields left out, instants in Unix milliseconds.
type logOp struct {
	Kind      reservation.OpKind `json:"k"`
	Attendee  string             `json:"a,omitempty"`
	SessionID string             `json:"s,omitempty"`
	OfferID   string             `json:"o,omitempty"`
	State     reservation.State  `json:"st,omitempty"`
	Key       string             `json:"key,omitempty"`
	Seq       int64              `json:"seq,omitempty"`
	At        *int64             `json:"at,omitempty"`
	Expires   *int64             `json:"exp,omitempty"`
	Hash      []byte             `json:"h,omitempty"`
	Body      []byte             `json:"b,omitempty"`
	Flag      bool               `json:"f,omitempty"`
}

func decodeJSONOps(body []byte) ([]reservation.Op, error) {
	var list []logOp
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "a JSON seat log entry does not decode")
	}
	timeOf := func(v *int64) time.Time {
		if v == nil {
			return time.Time{}
		}
		return fromMS(*v)
	}
	ops := make([]reservation.Op, len(list))
	for i := range list {
		l := &list[i]
		ops[i] = reservation.Op{Kind: l.Kind, Attendee: l.Attendee, SessionID: l.SessionID, OfferID: l.OfferID, State: l.State,
			Key: l.Key, Seq: l.Seq, At: timeOf(l.At), Expires: timeOf(l.Expires), Hash: l.Hash, Body: l.Body, Flag: l.Flag}
	}
	return ops, nil
}
