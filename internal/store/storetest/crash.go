package storetest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"venuehop/internal/clock"
	"venuehop/internal/conference"
	"venuehop/internal/live"
	"venuehop/internal/reservation"
	"venuehop/internal/store"
)

// CommitSteps are the steps of a seat commit at which a backend calls its
// crash hook: the conference revision written (inside the transaction),
// the seat ops written (still inside), the transaction committed.
var CommitSteps = []string{"conference-written", "seats-written", "committed"}

// The crash test's child process reads these.
const (
	crashStepEnv  = "VENUEHOP_TEST_CRASH_STEP"
	crashStoreEnv = "VENUEHOP_TEST_CRASH_STORE"
)

// CrashOpener opens the store at where (a data directory, a database URL)
// with hook called at each of CommitSteps (hook may be nil).
type CrashOpener func(ctx context.Context, where string, hook func(step string)) (store.Stores, error)

// crashAttendees hold seats in the session the change removes.
var crashAttendees = []string{"u_1", "u_2", "u_3", "u_4", "u_5"}

// crashNow is the conference clock: before the sample's sessions.
var crashNow = time.Date(2026, time.November, 20, 9, 0, 0, 0, time.UTC)

// RunImportCrash checks that an organizer's change (an import) and its
// seat consequences are one commit: for each of CommitSteps, a child
// process (this test binary, run again) opens a store where attendees hold
// seats in ARC301, starts the seat engine and applies a conference that
// removes ARC301 and adds a session, and SIGKILLs itself at that step.
// Afterwards the store keeps every invariant (Check), and the change is
// there whole (killed after the commit: new revision, the seats ended) or
// not at all (killed before: old revision, every seat active); an engine
// then starts on it and the new session takes reservations.
//
// The backend's test calls it from a top-level test function with fresh,
// which returns a new empty store location, and open.
func RunImportCrash(t *testing.T, fresh func(t *testing.T) string, open CrashOpener) {
	if step := os.Getenv(crashStepEnv); step != "" {
		crashChild(t, step, os.Getenv(crashStoreEnv), open)
		return
	}
	top := t.Name()
	for _, step := range CommitSteps {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			where := fresh(t)
			rev := prepareCrash(t, where, open)
			cmd := exec.Command(os.Args[0], "-test.run=^"+top+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashStepEnv+"="+step, crashStoreEnv+"="+where)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child was to kill itself at %s; it ended with %v:\n%s", step, err, out)
			}
			st, err := open(ctx, where, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			checkClean(t, st, "after the kill at "+step)
			committed := step == "committed"
			checkCrashOutcome(t, st, rev, committed)
			// The restart: an engine loads the store as it was left and
			// the new session (if the change is there) takes a seat.
			eng, h := startCrashEngine(t, st)
			if committed {
				ans, err := eng.Reserve(ctx, "u_new", []string{"NEW1"}, "")
				if err != nil || ans.Results[0].Status != reservation.Reserved {
					t.Errorf("reserving the new session after the restart: %v %v", ans.Results, err)
				}
				if n, _ := eng.Seats("NEW1"); n != 1 {
					t.Errorf("the new session's published count is %d, want 1", n)
				}
			} else if _, ok := h.Load().Snap.Session("NEW1"); ok {
				t.Errorf("the engine serves the new session although the change was not committed")
			}
			eng.Close()
			checkClean(t, st, "after a restart")
		})
	}
}

// crashChange is the imported conference: ARC301 (with its seats) is gone,
// NEW1 is new.
func crashChange() *conference.Conference {
	c := Sample("after the import")
	i := slices.IndexFunc(c.Sessions, func(s conference.Session) bool { return s.ID == "ARC301" })
	old := c.Sessions[i]
	c.Sessions = slices.Delete(c.Sessions, i, i+1)
	seats := 40
	c.Sessions = append(c.Sessions, conference.Session{ID: "NEW1", Title: "A new session", Type: conference.TypeBreakout,
		RoomID: old.RoomID, Start: old.Start, End: old.End, Reservable: true, Capacity: &seats})
	return c
}

// prepareCrash stores the sample with seats in ARC301 and returns its
// revision.
func prepareCrash(t *testing.T, where string, open CrashOpener) int64 {
	t.Helper()
	ctx := context.Background()
	st, err := open(ctx, where, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rev, err := st.SaveConference(ctx, Sample("before the import"), 0)
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := startCrashEngine(t, st)
	defer eng.Close()
	for _, a := range crashAttendees {
		ans, err := eng.Reserve(ctx, a, []string{"ARC301"}, "")
		if err != nil || ans.Results[0].Status != reservation.Reserved {
			t.Fatalf("reserve %s: %v %v", a, ans.Results, err)
		}
	}
	return rev
}

func startCrashEngine(t *testing.T, st store.Stores) (*reservation.Engine, *live.Holder) {
	t.Helper()
	ctx := context.Background()
	c, rev, err := st.LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := live.Build(c, rev)
	if err != nil {
		t.Fatal(err)
	}
	h := &live.Holder{}
	h.Store(ls)
	eng, err := reservation.New(ctx, reservation.Config{}, reservation.Deps{Store: st.Seats, Log: st.SeatLog, Live: h, Clock: clock.Fixed(crashNow)})
	if err != nil {
		t.Fatal(err)
	}
	return eng, h
}

// crashChild is the child process: it kills itself at step while the
// change commits. Returning means the step was never reached.
func crashChild(t *testing.T, step, where string, open CrashOpener) {
	ctx := context.Background()
	var armed atomic.Bool
	st, err := open(ctx, where, func(s string) {
		if armed.Load() && s == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, h := startCrashEngine(t, st)
	armed.Store(true)
	_, err = eng.ApplyConference(ctx, crashChange(), h.Load().Snap.Rev)
	t.Fatalf("the change went through without reaching %s (err %v)", step, err)
}

func checkClean(t *testing.T, st store.Stores, when string) {
	t.Helper()
	problems, err := st.Check(context.Background())
	if err != nil || len(problems) > 0 {
		t.Errorf("%s: check found %d problems %q (err %v)", when, len(problems), problems, err)
	}
}

// checkCrashOutcome checks that the change is there whole or not at all.
func checkCrashOutcome(t *testing.T, st store.Stores, rev int64, committed bool) {
	t.Helper()
	ctx := context.Background()
	c, gotRev, err := st.LoadConference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Seats.LoadSeats(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, r := range stored.Reservations {
		if r.SessionID == "ARC301" {
			active++
		}
	}
	wantRev, wantName, wantActive, wantState := rev, "before the import", len(crashAttendees), reservation.StateActive
	if committed {
		wantRev, wantName, wantActive, wantState = rev+1, "after the import", 0, reservation.StateSessionCancelled
	}
	if gotRev != wantRev || c.Name != wantName || active != wantActive {
		t.Errorf("revision %d %q with %d active seats in ARC301; want revision %d %q with %d: the change is not one commit",
			gotRev, c.Name, active, wantRev, wantName, wantActive)
	}
	for _, a := range crashAttendees {
		list, err := st.Seats.AttendeeReservations(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Status != wantState {
			t.Errorf("%s's reservations %v, want one %s", a, list, wantState)
		}
	}
}
