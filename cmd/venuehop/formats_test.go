package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A re:Invent-style spreadsheet export: local times, "Venue | Level | Room",
// no session codes, a repeat, an unscheduled item.
const cliCSV = `type,title,abstract,date,startTime,endTime,room
Breakout session,Queues at scale,"Why, and how.",2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B
Breakout session,Queues at scale [REPEAT],"Why, and how.",2026-12-03,13:00,14:00,MGM | Level 1 | Room 118
Conference services,Monday lunch,,N/A,N/A,N/A,N/A
`

const cliFrab = `<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><acronym>fosdem-mini</acronym><title>FOSDEM mini</title><day_change>09:00:00</day_change></conference>
  <day index="1" date="2026-01-31">
    <room name="Janson">
      <event id="101"><start>09:30</start><duration>00:25</duration><room>Janson</room><title>Welcome</title><type>keynote</type><track>Keynotes</track><abstract>&lt;p&gt;Hello.&lt;/p&gt;</abstract></event>
    </room>
    <room name="K.3.201">
      <event id="102"><start>10:00</start><duration>00:50</duration><room>K.3.201</room><title>Go</title><type>devroom</type><track>Go</track><abstract>Go!</abstract></event>
    </room>
  </day>
</schedule>
`

const cliVenues = `{"venues": [
  {"id": "j", "name": "Building J (Janson)", "lat": 50.813257, "lon": 4.379685, "rooms": ["Janson"]},
  {"id": "k", "name": "Building K", "lat": 50.814769, "lon": 4.381788, "prefixes": ["K."]}
]}`

func writeTemp(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportExportCSV(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	csvFile := writeTemp(t, dir, "reinvent.csv", cliCSV)

	code, _, stderr := venuehop(t, "import", csvFile, "--data", data)
	if code != 1 || !strings.Contains(stderr, "names no time zone") || !strings.Contains(stderr, "--timezone") {
		t.Fatalf("import without a zone: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := venuehop(t, "import", csvFile, "--timezone", "America/Los_Angeles", "--data", data, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "would import") || !strings.Contains(stdout, "3 sessions (3 added") {
		t.Fatalf("dry run: %d %q %q", code, stdout, stderr)
	}
	if code, _, _ := venuehop(t, "export", "--format", "csv", "--data", data); code != 1 {
		t.Errorf("export after a dry run succeeded: the dry run stored something")
	}
	code, stdout, stderr = venuehop(t, "import", csvFile, "--timezone", "America/Los_Angeles", "--data", data)
	if code != 0 || !strings.Contains(stdout, "3 sessions (3 added, 0 changed, 0 removed), 2 venues, 2 rooms") {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	// No codes in the file: ids come from the content, so a re-import matches.
	code, stdout, _ = venuehop(t, "import", csvFile, "--format", "csv", "--timezone", "America/Los_Angeles", "--data", data)
	if code != 0 || !strings.Contains(stdout, "(0 added, 0 changed, 0 removed)") {
		t.Errorf("re-import: %q", stdout)
	}

	outputs := map[string]string{
		"json": `"format": "venuehop/1"`, "csv": "id,code,title", "frab": "<schedule>",
		"c3voc": `"schedule"`, "ical": "BEGIN:VCALENDAR\r\n", "geojson": `"FeatureCollection"`,
	}
	for format, want := range outputs {
		out := filepath.Join(dir, "out."+format)
		if code, _, stderr := venuehop(t, "export", "--format", format, "-o", out, "--data", data, "--base-url", "https://plan.example.org"); code != 0 {
			t.Fatalf("export %s: %s", format, stderr)
		}
		b, _ := os.ReadFile(out)
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("export %s lacks %q:\n%.300s", format, want, b)
		}
	}
	// Our own CSV export imports back without changes (ids and zone are in it).
	code, stdout, stderr = venuehop(t, "import", filepath.Join(dir, "out.csv"), "--data", data)
	if code != 0 || !strings.Contains(stdout, "(0 added, 0 changed, 0 removed)") {
		t.Errorf("re-import of the CSV export: %d %q %q", code, stdout, stderr)
	}

	// A broken file: every problem with its line, the store unchanged.
	// (The CSV names no conference, so the re-import above renamed it after
	// the file: the baseline is taken now.)
	venuehop(t, "export", "--format", "json", "-o", filepath.Join(dir, "out.json"), "--data", data)
	broken := writeTemp(t, dir, "broken.csv", strings.NewReplacer("2026-12-01,09:00", "2026-12-01,9 am", "13:00,14:00", "13:00,noon").Replace(cliCSV))
	code, _, stderr = venuehop(t, "import", broken, "--timezone", "America/Los_Angeles", "--data", data)
	if code != 1 || !strings.Contains(stderr, "broken.csv:2:") || !strings.Contains(stderr, "broken.csv:3:") || !strings.Contains(stderr, "expected a local time HH:MM") {
		t.Errorf("broken import: exit %d\n%s", code, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	after := filepath.Join(dir, "after.json")
	venuehop(t, "export", "--format", "json", "-o", after, "--data", data)
	if b, _ := os.ReadFile(after); !bytes.Equal(before, b) {
		t.Error("a rejected import changed the store")
	}
}

func TestImportFrabWithVenueMap(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	xmlFile := writeTemp(t, dir, "fosdem.xml", cliFrab)
	venues := writeTemp(t, dir, "venues.json", cliVenues)

	code, _, stderr := venuehop(t, "import", xmlFile, "--data", data)
	if code != 1 || !strings.Contains(stderr, "fosdem.xml:3:3: the file names no time zone") {
		t.Fatalf("old dialect without a zone: exit %d %q", code, stderr)
	}
	code, stdout, stderr := venuehop(t, "import", xmlFile, "--timezone", "Europe/Brussels", "--venues", venues, "--data", data)
	if code != 0 || !strings.Contains(stdout, "2 sessions (2 added, 0 changed, 0 removed), 2 venues, 2 rooms") {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	if strings.Contains(stderr, "no coordinates") {
		t.Errorf("the venue map did not place the buildings: %s", stderr)
	}
	out := filepath.Join(dir, "map.geojson")
	if code, _, stderr := venuehop(t, "export", "--format", "geojson", "-o", out, "--data", data); code != 0 {
		t.Fatal(stderr)
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b, []byte("[4.379685,50.813257]")) {
		t.Errorf("Janson is not at its coordinates:\n%.500s", b)
	}

	bad := writeTemp(t, dir, "bad-venues.json", `{"venues": [{"id": "Bad Id", "name": "x", "lat": 99, "lon": 0}]}`)
	if code, _, stderr := venuehop(t, "import", xmlFile, "--timezone", "Europe/Brussels", "--venues", bad, "--data", data); code != 1 ||
		!strings.Contains(stderr, "venues[0].id") || !strings.Contains(stderr, "venues[0].lat") {
		t.Errorf("bad venue map: exit %d %q", code, stderr)
	}
}
