package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"venuehop/internal/account"
	"venuehop/internal/agenda"
	"venuehop/internal/app"
	"venuehop/internal/conference"
	"venuehop/internal/config"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/live"
	"venuehop/internal/planner"
	"venuehop/internal/reservation"
)

const planSynopsis = "plan --conference FILE --wishes FILE [--options FILE] [--json]\n" +
	"       venuehop plan --attendee EMAIL [--options FILE] [--data DIR] [--db URL] [--json]"

// runPlan plans a week: offline from a conference file and a wishes file
// (docs/planner.md), or for an attendee of the store (their favourites,
// blocks and reservations). It prints the agenda day by day with the legs
// between items and the favourites left out, or with --json the plan.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("plan", planSynopsis, stderr)
	cfg.StoreFlags(fs)
	confFile := fs.String("conference", "", "the conference file (native JSON, CSV, frab or c3voc)")
	wishesFile := fs.String("wishes", "", "the wishes file (JSON; see docs/planner.md)")
	optionsFile := fs.String("options", "", "planner options as JSON (absent fields keep their defaults)")
	attendee := fs.String("attendee", "", "plan for this attendee of the store (email)")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	offline := *confFile != "" || *wishesFile != ""
	switch {
	case offline && *attendee != "":
		return usageError{"give either --conference and --wishes (offline) or --attendee (from the store), not both"}
	case offline && (*confFile == "" || *wishesFile == ""):
		return usageError{"--conference and --wishes go together"}
	case !offline && *attendee == "":
		return usageError{"give --conference FILE --wishes FILE, or --attendee EMAIL"}
	}

	var st *live.State
	var in agenda.Inputs
	if offline {
		var err error
		if st, err = loadConferenceFile(*confFile); err != nil {
			return err
		}
		data, err := os.ReadFile(*wishesFile)
		if err != nil {
			return fmt.Errorf("cannot read the wishes file: %w", err)
		}
		if in, err = agenda.ParseWishesFile(st.Snap, data); err != nil {
			return fmt.Errorf("%s: %s", *wishesFile, message(err))
		}
	} else {
		var err error
		if st, in, err = attendeeInputs(ctx, cfg, *attendee); err != nil {
			return err
		}
	}
	var rawOpt []byte
	if *optionsFile != "" {
		var err error
		if rawOpt, err = os.ReadFile(*optionsFile); err != nil {
			return fmt.Errorf("cannot read the options file: %w", err)
		}
	}
	opt, err := agenda.ParseOptions(st.Snap, rawOpt)
	if err != nil {
		return fmt.Errorf("%s", message(err))
	}
	p, err := agenda.Build(st, in, opt, planner.Plan{})
	if err != nil {
		return fmt.Errorf("%s", message(err))
	}
	items := make([]planner.Item, len(p.Plan.Items))
	for i, it := range p.Plan.Items {
		items[i] = it.Item
	}
	ag, err := planner.Analyze(st.Snap, st.Travel, items, opt)
	if err != nil {
		return fmt.Errorf("%s", message(err))
	}
	if *asJSON {
		out := struct {
			Value       float64              `json:"value"`
			Optimal     bool                 `json:"optimal"`
			Bound       *float64             `json:"bound,omitempty"`
			GreedyValue float64              `json:"greedyValue"`
			Plan        planner.Plan         `json:"plan"`
			Dropped     []agenda.DroppedJSON `json:"dropped"`
			Days        []planner.DayAgenda  `json:"days"`
			Options     planner.Options      `json:"options"`
		}{p.Value, p.Optimal, p.Bound, p.Plan.GreedyValue, p.Plan, p.Dropped, ag.Days, p.Options}
		for i := range out.Days {
			localizeDay(st.Snap, &out.Days[i])
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return printPlan(stdout, st.Snap, p, ag, len(in.Wishes))
}

// message is an error's client-facing sentence.
func message(err error) string {
	if ce, ok := err.(*errcode.Error); ok {
		return ce.Message
	}
	return err.Error()
}

func loadConferenceFile(path string) (*live.State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the conference file: %w", err)
	}
	defer f.Close()
	c, _, err := formats.Read(f, formats.ReadOptions{Name: path})
	if err != nil {
		return nil, err
	}
	st, err := live.Build(c, 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// storeReservations lists reservations straight from a store (the engine
// is not running offline).
type storeReservations struct {
	st interface {
		AttendeeReservations(ctx context.Context, attendee string) ([]reservation.Reservation, error)
	}
}

func (s storeReservations) Reservations(ctx context.Context, attendeeID string) ([]reservation.Reservation, error) {
	return s.st.AttendeeReservations(ctx, attendeeID)
}

func attendeeInputs(ctx context.Context, cfg config.Config, email string) (*live.State, agenda.Inputs, error) {
	norm, err := account.NormalizeEmail(email)
	if err != nil {
		return nil, agenda.Inputs{}, usageError{fmt.Sprintf("--attendee: %s", message(err))}
	}
	st, err := app.OpenStoreReadOnly(ctx, cfg)
	if err != nil {
		return nil, agenda.Inputs{}, err
	}
	defer st.Close()
	c, rev, err := st.LoadConference(ctx)
	if err != nil {
		return nil, agenda.Inputs{}, err
	}
	state, err := live.Build(c, rev)
	if err != nil {
		return nil, agenda.Inputs{}, fmt.Errorf("the stored conference is invalid (run venuehop check): %w", err)
	}
	accounts, err := app.AccountStore(st)
	if err != nil {
		return nil, agenda.Inputs{}, err
	}
	u, _, err := accounts.UserByEmail(ctx, norm)
	if errcode.Is(err, errcode.NotFound) {
		return nil, agenda.Inputs{}, fmt.Errorf("no attendee with the email %s in %s", norm, cfg.DataDir)
	}
	if err != nil {
		return nil, agenda.Inputs{}, err
	}
	res := storeReservations{st.Seats}
	in, err := agenda.Gather(ctx, state.Snap, accounts, res, u.ID)
	if err != nil {
		return state, in, err
	}
	if plans := st.Plans; plans != nil {
		locks, err := plans.Locks(ctx, u.ID)
		if err != nil {
			return state, in, err
		}
		agenda.ApplyLocks(&in, locks)
	}
	return state, in, nil
}

func localizeDay(snap *conference.Snapshot, d *planner.DayAgenda) {
	for i := range d.Items {
		d.Items[i].Start, d.Items[i].End = snap.Local(d.Items[i].Start), snap.Local(d.Items[i].End)
	}
	for i := range d.Legs {
		l := &d.Legs[i]
		l.Depart, l.Arrive, l.Steps = snap.Local(l.Depart), snap.Local(l.Arrive), nil
	}
}

func printPlan(w io.Writer, snap *conference.Snapshot, p agenda.Proposal, ag planner.Agenda, wishes int) error {
	proof := "proven optimal"
	if !p.Optimal && p.Bound != nil {
		proof = fmt.Sprintf("not proven optimal: no plan is worth more than %g", *p.Bound)
	}
	fmt.Fprintf(w, "%s: %d favourites, value %g (%s; greedy %g), %d min travelling.\n",
		snap.Conf.Name, wishes, p.Value, proof, p.Plan.GreedyValue, p.Plan.TravelMinutes)
	prio := map[string]string{}
	for _, it := range p.Plan.Items {
		prio[it.SessionID] = it.Priority
	}
	for _, d := range ag.Days {
		label := d.Date
		if t, err := time.ParseInLocation(time.DateOnly, d.Date, snap.Loc); err == nil {
			label = t.Format("Monday 2 January")
		}
		fmt.Fprintf(w, "\n%s — %d m walking, %d shuttle ride(s), lunch break: %s\n",
			label, d.WalkMeters, d.ShuttleRides, yesNo(d.Lunch))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, it := range d.Items {
			if i > 0 {
				l := d.Legs[i-1]
				mode := l.Mode
				if mode == "" {
					mode = "stay"
				}
				note := fmt.Sprintf("%d min to spare", l.SlackMinutes)
				if l.Status != planner.StatusOK {
					note = fmt.Sprintf("%s (%d min slack)", strings.ToUpper(l.Status), l.SlackMinutes)
				}
				fmt.Fprintf(tw, "\t  ↓ %s %d min, %d m\t%s\n", mode, l.Minutes, l.Meters, note)
			}
			tag := it.Kind
			if pr := prio[it.SessionID]; pr != "" {
				tag += ", " + pr
			}
			where := ""
			if r, ok := snap.Room(it.RoomID); ok {
				where = r.Name
				if v, ok := snap.Venue(r.VenueID); ok {
					where = v.Name + " · " + r.Name
				}
			} else if v, ok := snap.Venue(it.VenueID); ok {
				where = v.Name
			}
			fmt.Fprintf(tw, "%s–%s\t%s %s\t%s [%s]\n", snap.Local(it.Start).Format("15:04"), snap.Local(it.End).Format("15:04"),
				it.SessionID, it.Title, where, tag)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(p.Plan.Repairs) > 0 {
		fmt.Fprintf(w, "\nRepairs (%d):\n", len(p.Plan.Repairs))
		for _, r := range p.Plan.Repairs {
			fmt.Fprintf(w, "  %s %s: %s\n", r.Kind, firstOf(r.From.SessionID, r.From.Title), r.Reason)
		}
	}
	for _, c := range p.Plan.Conflicts {
		fmt.Fprintf(w, "locked items collide: %s\n", c.Message)
	}
	if len(p.Dropped) > 0 {
		fmt.Fprintf(w, "\nLeft out (%d):\n", len(p.Dropped))
		for _, d := range p.Dropped {
			fmt.Fprintf(w, "  %s (%s) [%s]: %s\n", d.SessionID, d.Priority, d.Code, d.Reason)
		}
	}
	for _, warn := range append(p.Plan.Warnings, ag.Warnings...) {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
