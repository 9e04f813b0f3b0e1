package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"venuehop/internal/app"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/travel"
)

const travelSynopsis = "travel --at RFC3339 [--from ROOM --to ROOM] [--data DIR] [--db URL]   (walk corrections: travel correct --help)"

// runTravel prints door-to-door minutes between every pair of venues at an
// instant, or with --from and --to the steps of one trip between rooms.
func runTravel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "correct" {
		return runTravelCorrect(ctx, args[1:], stdout, stderr) // venues.go
	}
	cfg := config.Defaults()
	fs := newFlags("travel", travelSynopsis, stderr)
	cfg.StoreFlags(fs)
	at := fs.String("at", "", "the departure, RFC 3339 (2026-12-01T12:00:00-08:00; without an offset: the conference's zone)")
	from := fs.String("from", "", "a room id: print one trip's steps from this room")
	to := fs.String("to", "", "a room id: print one trip's steps to this room")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *at == "" {
		return usageError{"--at is required: the departure time, e.g. 2026-12-01T12:00:00-08:00"}
	}
	// Syntax first, before opening anything; the zone comes with the store.
	if _, err := parseDeparture(*at, time.UTC); err != nil {
		return usageError{err.Error()}
	}
	if (*from == "") != (*to == "") {
		return usageError{"--from and --to go together: the ids of two rooms"}
	}

	st, err := app.OpenStoreReadOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	c, rev, err := st.LoadConference(ctx)
	if err != nil {
		return err
	}
	snap, err := conference.NewSnapshot(c, rev, conference.ValidateOptions{RoomOverlapIsWarning: true})
	if err != nil {
		return fmt.Errorf("the stored conference is invalid (run venuehop check): %w", err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		return err
	}
	depart, _ := parseDeparture(*at, snap.Loc)
	if *from != "" {
		return printTrip(stdout, snap, m, *from, *to, depart)
	}
	return printTable(stdout, snap, m, depart)
}

// parseDeparture reads RFC 3339, or a wall-clock time without an offset in
// loc.
func parseDeparture(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at: expected an RFC 3339 time like 2026-12-01T12:00:00-08:00, got %q", s)
}

// modeInitial is the table's one-letter mode: 23w, 31s, 28m.
func modeInitial(mode string) string {
	switch mode {
	case travel.ModeWalk:
		return "w"
	case travel.ModeShuttle:
		return "s"
	case travel.ModeMonorail:
		return "m"
	}
	return ""
}

func printTable(w io.Writer, snap *conference.Snapshot, m *travel.Model, depart time.Time) error {
	venues := snap.Conf.Venues
	fmt.Fprintf(w, "Door to door (main entrance to main entrance), leaving %s:\n\n", snap.Local(depart).Format("Mon 2 Jan 2006 15:04 MST"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "from \\ to\t")
	for _, v := range venues {
		fmt.Fprintf(tw, "%s\t", v.ID)
	}
	fmt.Fprintln(tw)
	estimate := false
	for _, a := range venues {
		fmt.Fprintf(tw, "%s\t", a.ID)
		for _, b := range venues {
			if a.ID == b.ID {
				fmt.Fprint(tw, "–\t")
				continue
			}
			trip, err := m.Between(a.ID, b.ID, depart)
			if err != nil {
				return err
			}
			mark := ""
			if trip.Estimate {
				mark, estimate = "*", true
			}
			fmt.Fprintf(tw, "%d%s%s\t", trip.Minutes, modeInitial(trip.Mode), mark)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nMinutes, fastest way: w walk, s shuttle, m monorail (waiting included).")
	if estimate {
		fmt.Fprintln(w, "* estimate from the distance between venues: this conference has no travel model for it.")
	}
	fmt.Fprintln(w, "Add the walk from each venue's door to the room; --from ROOM --to ROOM includes it.")
	return nil
}

func printTrip(w io.Writer, snap *conference.Snapshot, m *travel.Model, from, to string, depart time.Time) error {
	trip, err := m.Leg(from, to, depart)
	if err != nil {
		return err
	}
	names := placeNames(snap, m.Source())
	mode := "by " + trip.Mode
	switch trip.Mode {
	case travel.ModeInside:
		mode = "walking inside"
	case travel.ModeWalk:
		mode = "walking"
	}
	clock := func(t time.Time) string { return snap.Local(t).Format("15:04") }
	fmt.Fprintf(w, "%s → %s\n", names(from), names(to))
	fmt.Fprintf(w, "Leaving %s: %d min %s, arriving %s", snap.Local(depart).Format("Mon 2 Jan 15:04 MST"), trip.Minutes, mode, clock(trip.Arrive))
	if trip.Estimate {
		fmt.Fprint(w, " (estimate: no travel model)")
	}
	fmt.Fprintln(w)
	if len(trip.Steps) == 0 {
		fmt.Fprintln(w, "Same room: nothing to travel.")
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range trip.Steps {
		dist := ""
		if s.Meters > 0 {
			dist = fmt.Sprintf("%d m", s.Meters)
		}
		where := names(s.FromID) + " → " + names(s.ToID)
		if s.Mode == travel.ModeWait {
			where = "at " + names(s.FromID)
		}
		fmt.Fprintf(tw, "%s–%s\t%s\t%d min\t%s\t%s\n", clock(s.Depart), clock(s.Arrive), s.Mode, s.Minutes, dist, where)
	}
	return tw.Flush()
}

// placeNames names the ids in a trip's steps: rooms (with their venue),
// entrances and stops; an unknown id stays as it is.
func placeNames(snap *conference.Snapshot, model *conference.TravelModel) func(id string) string {
	names := map[string]string{}
	for _, e := range model.Entrances {
		names[e.ID] = e.Name
	}
	for _, s := range model.Stops {
		names[s.ID] = s.Name
	}
	return func(id string) string {
		if r, ok := snap.Room(id); ok {
			parts := []string{}
			if v, ok := snap.Venue(r.VenueID); ok {
				parts = append(parts, v.Name)
			}
			if r.Level != "" {
				parts = append(parts, r.Level)
			}
			return strings.Join(append(parts, r.Name), ", ")
		}
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
}
