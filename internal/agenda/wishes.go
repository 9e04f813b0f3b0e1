package agenda

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/planner"
)

// WishesFile is the offline planner's input (docs/planner.md):
//
//	{"wishes": [{"sessionId": "S1", "priority": "must"}],
//	 "blocks": [{"title": "Lunch with Bo", "start": "2026-12-01T12:00", "end": "2026-12-01T13:00", "venueId": "wynn"}],
//	 "reservations": ["S7"], "keynotes": ["K1"], "locked": ["S7", "Lunch with Bo"]}
type WishesFile struct {
	Wishes       []planner.Wish       `json:"wishes"`
	Blocks       []account.BlockInput `json:"blocks"`
	Reservations []string             `json:"reservations"`
	Keynotes     []string             `json:"keynotes"`
	// Locked names the fixed items kept no matter what: session ids of
	// reservations or keynotes, titles of blocks.
	Locked []string `json:"locked"`
}

// ParseWishesFile reads a wishes file against a conference: one invalid
// error naming the first problem (unknown session, bad priority, a block
// that ends before it starts or falls outside the conference days).
func ParseWishesFile(snap *conference.Snapshot, data []byte) (Inputs, error) {
	in := Inputs{Reserved: map[string]bool{}}
	var f WishesFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return in, errcode.New(errcode.Invalid, "the wishes file is not valid JSON (at byte %d): %v", se.Offset, se)
		}
		return in, errcode.New(errcode.Invalid, "the wishes file: %v", err)
	}
	if err := CheckWishes(snap, f.Wishes); err != nil {
		return in, err
	}
	in.Wishes = f.Wishes
	for i, b := range f.Blocks {
		blk, err := account.CheckBlock(snap, b)
		if err != nil {
			return in, errcode.New(errcode.Invalid, "blocks[%d]: %s", i, errMessage(err))
		}
		if day := snap.Day(blk.Start); !slices.Contains(snap.Conf.Days, day) {
			return in, errcode.New(errcode.Invalid, "blocks[%d] (%q): %s", i, blk.Title, errMessage(dayError(snap, day)))
		}
		in.Fixed = append(in.Fixed, planner.Fixed{Kind: planner.KindBlock, Title: blk.Title, Start: blk.Start, End: blk.End, VenueID: blk.VenueID})
	}
	for _, list := range []struct {
		name, kind string
		ids        []string
	}{{"reservations", planner.KindReservation, f.Reservations}, {"keynotes", planner.KindKeynote, f.Keynotes}} {
		for i, id := range list.ids {
			se, ok := snap.Session(id)
			switch {
			case !ok:
				return in, errcode.New(errcode.Invalid, "%s[%d]: unknown session %q", list.name, i, id)
			case !se.Scheduled():
				return in, errcode.New(errcode.Invalid, "%s[%d]: session %q is not scheduled", list.name, i, id)
			case !slices.Contains(snap.Conf.Days, snap.Day(se.Start)):
				return in, errcode.New(errcode.Invalid, "%s[%d]: session %q is not on a day of the conference", list.name, i, id)
			}
			it := planner.Fixed{Kind: list.kind, SessionID: id}
			if list.kind == planner.KindReservation {
				it.Reserved = true
				in.Reserved[id] = true
			}
			in.Fixed = append(in.Fixed, it)
		}
	}
	for i, name := range f.Locked {
		found := false
		for k := range in.Fixed {
			if it := &in.Fixed[k]; it.SessionID == name || (it.Kind == planner.KindBlock && it.Title == name) {
				it.Locked, found = true, true
			}
		}
		if !found {
			return in, errcode.New(errcode.Invalid, "locked[%d]: %q is none of the reservations, keynotes or block titles", i, name)
		}
	}
	return in, nil
}

func errMessage(err error) string {
	var ce *errcode.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}
