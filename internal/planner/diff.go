package planner

// PlanDiff is what changes from one plan to another.
type PlanDiff struct {
	Added     []PlanItem `json:"added"`
	Removed   []PlanItem `json:"removed"`
	Moved     []Move     `json:"moved"`
	Unchanged int        `json:"unchanged"`
}

// Move is one content (or block) kept but changed.
type Move struct {
	From PlanItem `json:"from"`
	To   PlanItem `json:"to"`
	// Change is "sitting" (another sitting of the content), "room" or
	// "time" (the same sitting, moved by the organizers).
	Change string `json:"change"`
}

// Empty reports whether the plans agree.
func (d PlanDiff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Moved) == 0 }

// Diff compares two plans item by item: sessions by content (repeat
// group), blocks by kind, title and start.
func Diff(old, new Plan) PlanDiff {
	key := func(it PlanItem) string {
		if it.Group != "" {
			return "g:" + it.Group
		}
		if it.SessionID != "" {
			return "s:" + it.SessionID
		}
		return "b:" + it.Kind + "\x00" + it.Title + "\x00" + it.Start.UTC().String()
	}
	d := PlanDiff{Added: []PlanItem{}, Removed: []PlanItem{}, Moved: []Move{}}
	before := map[string]PlanItem{}
	for _, it := range old.Items {
		before[key(it)] = it
	}
	seen := map[string]bool{}
	for _, it := range new.Items {
		k := key(it)
		o, ok := before[k]
		if !ok || seen[k] {
			d.Added = append(d.Added, it)
			continue
		}
		seen[k] = true
		switch {
		case o.SessionID != it.SessionID:
			d.Moved = append(d.Moved, Move{From: o, To: it, Change: "sitting"})
		case o.RoomID != it.RoomID || o.VenueID != it.VenueID:
			d.Moved = append(d.Moved, Move{From: o, To: it, Change: "room"})
		case !o.Start.Equal(it.Start) || !o.End.Equal(it.End):
			d.Moved = append(d.Moved, Move{From: o, To: it, Change: "time"})
		default:
			d.Unchanged++
		}
	}
	for _, it := range old.Items {
		if !seen[key(it)] {
			d.Removed = append(d.Removed, it)
			seen[key(it)] = true
		}
	}
	return d
}
