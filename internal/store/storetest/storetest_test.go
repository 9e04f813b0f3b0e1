package storetest

import (
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
)

func TestSampleIsValid(t *testing.T) {
	for _, p := range conference.Validate(Sample("valid"), conference.ValidateOptions{}) {
		t.Errorf("Sample has a problem: %s", p)
	}
}

func TestDiff(t *testing.T) {
	utc := func(c *conference.Conference) *conference.Conference {
		for i := range c.Sessions {
			c.Sessions[i].Start = c.Sessions[i].Start.UTC()
			c.Sessions[i].End = c.Sessions[i].End.UTC()
		}
		return c
	}
	tests := []struct {
		name     string
		change   func(c *conference.Conference) *conference.Conference
		wantPath string // "" means no difference
	}{
		{"identical", func(c *conference.Conference) *conference.Conference { return c }, ""},
		{"same instants in another zone", utc, ""},
		{"name", func(c *conference.Conference) *conference.Conference { c.Name = "other"; return c }, "conference.Name"},
		{"moved session", func(c *conference.Conference) *conference.Conference {
			c.Sessions[1].Start = c.Sessions[1].Start.Add(time.Minute)
			return c
		}, "conference.Sessions[1].Start"},
		{"capacity value", func(c *conference.Conference) *conference.Conference {
			n := 5
			c.Sessions[1].Capacity = &n
			return c
		}, "conference.Sessions[1].Capacity"},
		{"capacity dropped", func(c *conference.Conference) *conference.Conference {
			c.Sessions[2].Capacity = nil
			return c
		}, "conference.Sessions[2].Capacity"},
		{"overflow room", func(c *conference.Conference) *conference.Conference {
			c.Sessions[0].OverflowRoomIDs = c.Sessions[0].OverflowRoomIDs[:1]
			return c
		}, "conference.Sessions[0].OverflowRoomIDs"},
		{"expo dropped", func(c *conference.Conference) *conference.Conference { c.Expo = nil; return c }, "conference.Expo"},
		{"meal end", func(c *conference.Conference) *conference.Conference {
			c.Meals[1].End = c.Meals[1].End.Add(time.Hour)
			return c
		}, "conference.Meals[1].End"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Sample("x")
			b := tt.change(Sample("x"))
			before := a.Sessions[0].Start.Location()
			d := Diff(a, b)
			if tt.wantPath == "" && d != "" {
				t.Errorf("Diff = %q, want none", d)
			}
			if tt.wantPath != "" && !strings.HasPrefix(d, tt.wantPath+":") {
				t.Errorf("Diff = %q, want a difference at %s", d, tt.wantPath)
			}
			if a.Sessions[0].Start.Location() != before {
				t.Errorf("Diff modified its argument")
			}
		})
	}
}
