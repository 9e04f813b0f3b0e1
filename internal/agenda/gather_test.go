package agenda

import (
	"context"
	"testing"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/conference"
	"venuehop/internal/demo"
	"venuehop/internal/planner"
)

type personal struct{ favs []account.Favorite }

func (p personal) Favorites(context.Context, string) ([]account.Favorite, error) { return p.favs, nil }
func (p personal) Blocks(context.Context, string) ([]account.Block, error)       { return nil, nil }

// A starred keynote is fixed ("keynotes the attendee marked");
// other favourites stay wishes.
func TestGatherMarksStarredKeynotesFixed(t *testing.T) {
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keynote, talk string
	for _, s := range c.Sessions {
		switch {
		case s.Type == conference.TypeKeynote && keynote == "":
			keynote = s.ID
		case s.Type == conference.TypeBreakout && talk == "":
			talk = s.ID
		}
	}
	in, err := Gather(context.Background(), snap, personal{[]account.Favorite{
		{SessionID: keynote, Priority: account.Priority(planner.Maybe)},
		{SessionID: talk, Priority: account.Priority(planner.Must)},
		{SessionID: "gone", Priority: account.Priority(planner.Want)},
	}}, nil, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Fixed) != 1 || in.Fixed[0].Kind != planner.KindKeynote || in.Fixed[0].SessionID != keynote {
		t.Errorf("fixed = %+v, want the starred keynote", in.Fixed)
	}
	if len(in.Wishes) != 1 || in.Wishes[0].SessionID != talk {
		t.Errorf("wishes = %+v, want the talk only", in.Wishes)
	}
	if len(in.Warnings) != 1 {
		t.Errorf("warnings = %v, want one for the session no longer in the catalog", in.Warnings)
	}
}
