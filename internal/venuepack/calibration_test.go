package venuepack_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/travel"
	"venuehop/internal/venuepack"
)

// calibrationRow is one row of the calibration tables in docs/travel.md.
type calibrationRow struct {
	line     int
	pack     string
	from, to string
	measure  string
	lo, hi   float64 // the public figure (a range when lo < hi), minutes
	model    string  // what the table says the model gives
}

var (
	tableHeadRE = regexp.MustCompile(`^<!-- calibration: ([a-z0-9-]+) -->$`)
	rowRE       = regexp.MustCompile("^\\| `([a-z0-9*-]+)` – `([a-z0-9*-]+)` \\| ([^|]+?) \\| ([0-9.]+)(?:–([0-9.]+))? min[^|]* \\| ([^|]+?) \\|")
)

// readCalibration parses the tables that follow a "<!-- calibration: PACK
// -->" marker in docs/travel.md.
func readCalibration(t *testing.T) []calibrationRow {
	t.Helper()
	f, err := os.Open("../../docs/travel.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []calibrationRow
	pack := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := tableHeadRE.FindStringSubmatch(line); m != nil {
			pack = m[1]
			continue
		}
		if pack == "" || !strings.HasPrefix(line, "|") {
			if line == "" || strings.HasPrefix(line, "|") {
				continue
			}
			pack = "" // prose after the table ends it
			continue
		}
		if strings.HasPrefix(line, "| Between") || strings.HasPrefix(line, "|---") {
			continue
		}
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("docs/travel.md:%d: a calibration row the test cannot read: %s", n, line)
		}
		lo, _ := strconv.ParseFloat(m[4], 64)
		hi := lo
		if m[5] != "" {
			hi, _ = strconv.ParseFloat(m[5], 64)
		}
		rows = append(rows, calibrationRow{line: n, pack: pack, from: m[1], to: m[2], measure: m[3], lo: lo, hi: hi, model: m[6]})
	}
	return rows
}

// packConference is a two-day conference (Monday, Tuesday) with one room in
// each venue of the pack, and the pack applied.
func packConference(t *testing.T, p *venuepack.Pack) *travel.Model {
	t.Helper()
	c := &conference.Conference{Format: conference.FormatVersion, ID: "cal", Name: "Calibration", TimeZone: p.TimeZone,
		Days: []string{"2026-11-30", "2026-12-01"}}
	for _, v := range p.Venues {
		c.Venues = append(c.Venues, conference.Venue{ID: v.ID, Name: v.Name, Lat: v.Lat, Lon: v.Lon})
		c.Rooms = append(c.Rooms, conference.Room{ID: v.ID + "-r", VenueID: v.ID, Level: "Level 1", Name: "Room", Capacity: 10})
	}
	res, err := p.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	c.Venues, c.Travel = res.Venues, res.Model
	snap, err := conference.NewSnapshot(c, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := travel.Compile(snap)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var clockRE = regexp.MustCompile(`\((\d\d):(\d\d)\)`)

// measure is what the model gives for a row, in minutes (one value per
// line for the "every shuttle" rows).
func measure(t *testing.T, m *travel.Model, src *conference.TravelModel, r calibrationRow) []int {
	t.Helper()
	loc, err := time.LoadLocation(shipped(t, r.pack).TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, loc) // a Tuesday, at night
	if c := clockRE.FindStringSubmatch(r.measure); c != nil {
		h, _ := strconv.Atoi(c[1])
		mi, _ := strconv.Atoi(c[2])
		at = time.Date(2026, 12, 1, h, mi, 0, 0, loc)
	}
	kind := strings.TrimSpace(clockRE.ReplaceAllString(r.measure, ""))
	switch {
	case kind == "walk":
		trip, err := m.BetweenEntrances(r.from, r.to, at)
		if err != nil {
			t.Fatal(err)
		}
		if trip.Mode != travel.ModeWalk || trip.Estimate {
			t.Errorf("docs/travel.md:%d: %s → %s at night is %s (estimate %v), not a walk", r.line, r.from, r.to, trip.Mode, trip.Estimate)
		}
		return []int{trip.Minutes}
	case strings.HasPrefix(kind, "door to door"):
		trip, err := m.BetweenEntrances(r.from, r.to, at)
		if err != nil {
			t.Fatal(err)
		}
		return []int{trip.Minutes}
	case strings.HasPrefix(kind, "every shuttle ride"):
		var out []int
		for _, l := range src.Shuttles {
			s, _ := m.ServiceDuring(l.ID, at, 1)
			out = append(out, s.Ride)
		}
		return out
	case strings.HasPrefix(kind, "shuttle ride"), strings.HasPrefix(kind, "monorail"):
		lines := src.Shuttles
		if strings.HasPrefix(kind, "monorail") {
			lines = src.Monorail
		}
		for _, l := range lines {
			first, last := l.Stops[0].StopID, l.Stops[len(l.Stops)-1].StopID
			if strings.Contains(first, r.from) && strings.Contains(last, r.to) || strings.Contains(first, r.to) && strings.Contains(last, r.from) {
				s, ok := m.ServiceDuring(l.ID, at, 1)
				if !ok || !s.Running {
					t.Fatalf("docs/travel.md:%d: line %s does not run at %s", r.line, l.ID, at.Format("15:04"))
				}
				return []int{s.Ride}
			}
		}
		t.Fatalf("docs/travel.md:%d: no line from %s to %s", r.line, r.from, r.to)
	}
	t.Fatalf("docs/travel.md:%d: unknown measure %q", r.line, r.measure)
	return nil
}

// TestCalibration holds the shipped packs within 25% of every public (or
// measured) time in docs/travel.md's calibration tables — never tighter
// than the model's one-minute resolution — and checks that the table's
// Model column says what the model gives.
func TestCalibration(t *testing.T) {
	rows := readCalibration(t)
	perPack := map[string]int{}
	models := map[string]*travel.Model{}
	for _, r := range rows {
		m, ok := models[r.pack]
		if !ok {
			m = packConference(t, shipped(t, r.pack))
			models[r.pack] = m
		}
		perPack[r.pack]++
		got := measure(t, m, m.Source(), r)
		lo, hi := r.lo*0.75, r.hi*1.25
		lo, hi = math.Min(lo, r.lo-1), math.Max(hi, r.hi+1)
		var shown []string
		for _, g := range got {
			shown = append(shown, strconv.Itoa(g))
			if float64(g) < lo || float64(g) > hi {
				t.Errorf("docs/travel.md:%d: %s – %s %s: the model gives %d min, public %v–%v min (allowed %.1f–%.1f)",
					r.line, r.from, r.to, r.measure, g, r.lo, r.hi, lo, hi)
			}
		}
		want := strings.Join(uniqueSorted(shown), "–") + " min"
		if r.model != want {
			t.Errorf("docs/travel.md:%d: the Model column says %q, the model gives %q", r.line, r.model, want)
		}
	}
	if perPack[venuepack.StripID] < 8 || perPack[venuepack.ULBID] < 6 {
		t.Errorf("calibration rows per pack %v: want the Strip's measured walks and shuttles and FOSDEM's buildings", perPack)
	}
}

// uniqueSorted returns the distinct values, low and high only (a range).
func uniqueSorted(vals []string) []string {
	lo, hi := math.MaxInt, math.MinInt
	for _, v := range vals {
		n, _ := strconv.Atoi(v)
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo == hi {
		return []string{fmt.Sprint(lo)}
	}
	return []string{fmt.Sprint(lo), fmt.Sprint(hi)}
}
