package reservation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"venuehop/internal/errcode"
	"venuehop/internal/reservation"
	"venuehop/internal/reservation/seatmodel"
)

// Hundreds of attendees at once for S7's seven seats: exactly seven get
// one, everyone else hears full and gets a distinct waitlist place.
func TestSevenSeatsUnderRace(t *testing.T) {
	for _, mode := range []struct {
		name     string
		maxBatch int
	}{{"group commit", 0}, {"per-request commit", 1}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, reservation.Config{MaxBatch: mode.maxBatch})
			const people = 300
			var mu sync.Mutex
			statuses := map[reservation.Status]int{}
			positions := map[int]bool{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range people {
				wg.Add(1)
				go func() {
					defer wg.Done()
					who := fmt.Sprintf("u_%d", i)
					<-start
					ans, err := e.engine.Reserve(context.Background(), who, []string{"S7"}, "")
					if err != nil {
						t.Error(err)
						return
					}
					st := ans.Results[0].Status
					pos := 0
					if st == reservation.Full {
						if pos, err = e.engine.JoinWaitlist(context.Background(), who, "S7"); err != nil {
							t.Error(err)
						}
					}
					mu.Lock()
					statuses[st]++
					if pos > 0 {
						positions[pos] = true
					}
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			if statuses[reservation.Reserved] != 7 || statuses[reservation.Full] != people-7 {
				t.Errorf("statuses %v, want 7 reserved and %d full", statuses, people-7)
			}
			if len(positions) != people-7 || !positions[1] || !positions[people-7] {
				t.Errorf("%d distinct waitlist positions, want 1..%d", len(positions), people-7)
			}
			if r, h := e.seats("S7"); r != 7 || h != 0 {
				t.Errorf("S7 reserved %d held %d", r, h)
			}
		})
	}
}

const linSeats = 7

// seatModel is the sequential specification: a set of holders (a bit per
// attendee) with linSeats seats.
var seatModel = seatmodel.Model(linSeats)

// Reserve, cancel and seats-left from many goroutines (two per attendee,
// so one attendee's calls race too) form a linearizable history: it
// matches some order of the operations that respects real time, run
// against a plain sequential set of seats.
func TestLinearizable(t *testing.T) {
	e := newEnv(t, reservation.Config{QuotaPerMinute: 1 << 20})
	const attendees, perClient = 12, 30
	var mu sync.Mutex
	var history []porcupine.Operation
	origin := time.Now()
	now := func() int64 { return int64(time.Since(origin)) }
	var wg sync.WaitGroup
	for client := range attendees * 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(client), 7))
			a := client % attendees
			who := fmt.Sprintf("u_%d", a)
			for range perClient {
				in := seatmodel.Input{Attendee: a}
				var out seatmodel.Output
				call := now()
				switch rng.IntN(3) {
				case 0:
					in.Kind = seatmodel.Reserve
					ans, err := e.engine.Reserve(context.Background(), who, []string{"S7"}, "")
					if err != nil {
						t.Error(err)
						return
					}
					out.Status = string(ans.Results[0].Status)
				case 1:
					in.Kind = seatmodel.Cancel
					err := e.engine.Cancel(context.Background(), who, "S7")
					switch {
					case err == nil:
						out.Status = "ok"
					case errcode.Is(err, errcode.NotFound):
						out.Status = "none"
					default:
						t.Error(err)
						return
					}
				default:
					in.Kind = seatmodel.Left
					r, h := e.seats("S7")
					out.Left = linSeats - r - h
				}
				ret := now()
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res := porcupine.CheckOperationsTimeout(seatModel, history, time.Minute)
	if res != porcupine.Ok {
		t.Fatalf("history of %d operations is %s", len(history), res)
	}
	// The checker must be able to say no: a history where two attendees
	// both reserved the last seat is not linearizable.
	bad := []porcupine.Operation{}
	for i := range linSeats + 1 {
		bad = append(bad, porcupine.Operation{ClientId: i, Input: seatmodel.Input{Kind: seatmodel.Reserve, Attendee: i}, Call: int64(i * 10), Output: seatmodel.Output{Status: "reserved"}, Return: int64(i*10 + 5)})
	}
	if porcupine.CheckOperations(seatModel, bad) {
		t.Errorf("the model accepted eight reservations of seven seats")
	}
}
