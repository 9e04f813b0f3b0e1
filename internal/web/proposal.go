package web

import (
	"fmt"
	"strings"

	"venuehop/internal/agenda"
	"venuehop/internal/conference"
	"venuehop/internal/planner"
)

// proposalView is a proposal shown as a diff to accept or reject.
type proposalView struct {
	ID, Origin, Heading string
	Value               string
	// Proof says how good the plan is: "proven best" only when the search
	// proved it and no collision is left (one between locked items is
	// not the plan's to fix).
	Proof, ProofClass string
	Added, Removed    []diffRow
	Moved             []diffRow
	Repairs           []repairRow
	Conflicts         []string
	Unchanged         int
	Dropped           []droppedRow
	NeedSeats         int
	Accepted          bool
	Empty             bool
	CSRF, Day         string // for its forms
}

type diffRow struct {
	SessionID, Title, When, Where string
	Was, Change                   string // for moves: where/when it was, and what changed
}

// repairRow is a fixed item the plan moves or drops, and why.
type repairRow struct {
	Kind, Title, Was, Now, Reason string
	SessionID                     string // the sitting it moves to, else the one dropped
}

type droppedRow struct {
	SessionID, Title, Priority, Reason, Code string
}

func newProposalView(snap *conference.Snapshot, p *agenda.Proposal) *proposalView {
	pv := &proposalView{ID: p.ID, Origin: p.Origin, Value: trimFloat(p.Value),
		Unchanged: p.Diff.Unchanged, Accepted: p.State == agenda.StateAccepted, Empty: p.Diff.Empty()}
	switch {
	case p.Origin == agenda.OriginChange && p.Change != nil:
		verb := "moved"
		if p.Change.Kind == "cancelled" {
			verb = "was cancelled"
		}
		pv.Heading = fmt.Sprintf("“%s” %s: here is a new plan", sessionTitle(snap, p.Change.SessionID), verb)
	case p.Origin == agenda.OriginReserve:
		pv.Heading = "Your plan after reserving"
	default:
		pv.Heading = "Proposed plan"
	}
	for _, c := range p.Plan.Conflicts {
		pv.Conflicts = append(pv.Conflicts, capitalize(c.Message)+".")
	}
	switch {
	case !p.Optimal && p.Bound != nil:
		pv.Proof, pv.ProofClass = "best found; no plan is worth more than "+trimFloat(*p.Bound), "tag-warn"
	case !p.Optimal:
		pv.Proof, pv.ProofClass = "best found", "tag-warn"
	case len(pv.Conflicts) > 0:
		pv.Proof, pv.ProofClass = "best around your locked items, which collide", "tag-warn"
	default:
		pv.Proof, pv.ProofClass = "proven best", "tag-ok"
	}
	row := func(it planner.PlanItem) diffRow {
		return diffRow{SessionID: it.SessionID, Title: firstOf(it.Title, sessionTitle(snap, it.SessionID)),
			When: timeRange(snap, it.Start, it.End), Where: placeName(snap, it.RoomID, it.VenueID)}
	}
	// Repairs are shown with their reasons; the diff rows they make are
	// not repeated below them.
	repaired := map[string]bool{}
	for _, r := range p.Plan.Repairs {
		rr := repairRow{Kind: r.Kind, Title: firstOf(r.From.Title, sessionTitle(snap, r.From.SessionID)),
			Was: timeRange(snap, r.From.Start, r.From.End), Reason: capitalize(r.Reason) + ".", SessionID: r.From.SessionID}
		if r.To != nil {
			rr.Now = timeRange(snap, r.To.Start, r.To.End) + " · " + placeName(snap, r.To.RoomID, r.To.VenueID)
			rr.SessionID = r.To.SessionID
		}
		pv.Repairs = append(pv.Repairs, rr)
		repaired[agenda.LockKey(r.From)] = true
		if r.To != nil {
			repaired["session:"+r.To.SessionID] = true
		}
	}
	skip := func(it planner.PlanItem) bool {
		return repaired[agenda.LockKey(it.Item)] || (it.SessionID != "" && repaired["session:"+it.SessionID])
	}
	for _, it := range p.Diff.Added {
		if !skip(it) {
			pv.Added = append(pv.Added, row(it))
		}
	}
	for _, it := range p.Diff.Removed {
		if !skip(it) {
			pv.Removed = append(pv.Removed, row(it))
		}
	}
	for _, m := range p.Diff.Moved {
		if skip(m.From) || skip(m.To) {
			continue
		}
		r := row(m.To)
		switch m.Change {
		case "sitting":
			r.Change = "another sitting"
			r.Was = timeRange(snap, m.From.Start, m.From.End) + " · " + placeName(snap, m.From.RoomID, m.From.VenueID)
		case "room":
			r.Change = "new room"
			r.Was = placeName(snap, m.From.RoomID, m.From.VenueID)
		default:
			r.Change = "new time"
			r.Was = timeRange(snap, m.From.Start, m.From.End)
		}
		pv.Moved = append(pv.Moved, r)
	}
	pv.Empty = pv.Empty && len(pv.Repairs) == 0
	for _, d := range p.Dropped {
		pv.Dropped = append(pv.Dropped, droppedRow{SessionID: d.SessionID, Title: sessionTitle(snap, d.SessionID),
			Priority: d.Priority, Reason: capitalize(d.Reason) + ".", Code: d.Code})
	}
	for _, it := range p.Plan.Items {
		if it.NeedsReservation && it.SwappedFrom == "" {
			pv.NeedSeats++
		}
	}
	return pv
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
