package formats

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"venuehop/internal/conference"
)

// exportSources are the conferences every export is checked with: the demo
// and each real file.
func exportSources(t *testing.T) map[string]*conference.Conference {
	t.Helper()
	out := map[string]*conference.Conference{"demo": demoConference(t)}
	for _, rf := range realFiles {
		c, _, err := readShared(t, rf.rel, ReadOptions{TimeZone: rf.timeZone})
		if err != nil {
			t.Fatal(err)
		}
		out[rf.name] = c
	}
	return out
}

// The frab XML export validates against c3voc's schedule.xml.xsd with
// xmllint (Debian's libxml2-utils).
func TestFrabExportValidatesAgainstXSD(t *testing.T) {
	t.Parallel()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint is not installed (apt-get install libxml2-utils)")
	}
	xsd := sharedData(t, "c3voc-schema/schedule.xml.xsd")
	dir := t.TempDir()
	for name, c := range exportSources(t) {
		t.Run(name, func(t *testing.T) {
			for _, opt := range []WriteOptions{{}, {BaseURL: "https://plan.example.org", Version: "2026-11-01 rev 7"}} {
				path := filepath.Join(dir, "schedule.xml")
				var buf bytes.Buffer
				if err := Write(&buf, c, FormatFrab, opt); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput()
				if err != nil || !strings.Contains(string(out), "validates") {
					t.Fatalf("xmllint (base URL %q): %v\n%.3000s", opt.BaseURL, err, out)
				}
			}
		})
	}
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	if err := comp.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := comp.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The c3voc JSON export validates against c3voc's schema.json (draft-06),
// formats asserted.
func TestC3vocExportValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t, sharedData(t, "c3voc-schema/schema.json"))
	// The validator is real: the known-invalid example fails it.
	bad, err := os.Open(sharedData(t, "c3voc-schema/examples/invalid-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := jsonschema.UnmarshalJSON(bad)
	bad.Close()
	if schema.Validate(inst) == nil {
		t.Fatal("schema.json accepts invalid-example.json")
	}
	for name, c := range exportSources(t) {
		t.Run(name, func(t *testing.T) {
			for _, opt := range []WriteOptions{{}, {BaseURL: "https://plan.example.org/"}} {
				var buf bytes.Buffer
				if err := Write(&buf, c, FormatC3voc, opt); err != nil {
					t.Fatal(err)
				}
				inst, err := jsonschema.UnmarshalJSON(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(inst); err != nil {
					t.Fatalf("base URL %q: %v", opt.BaseURL, err)
				}
			}
		})
	}
}

// GeoJSON: a FeatureCollection of points in lon/lat order; venues without
// coordinates have a null geometry.
func TestGeoJSONExport(t *testing.T) {
	c := demoConference(t)
	c.Venues = append(c.Venues, conference.Venue{ID: "online", Name: "Online"})
	var buf bytes.Buffer
	if err := Write(&buf, c, FormatGeoJSON, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			ID       string
			Geometry *struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Properties["kind"].(string)]++
		if f.ID == "venue:online" {
			if f.Geometry != nil {
				t.Errorf("online venue has a geometry: %+v", f.Geometry)
			}
			continue
		}
		if f.Type != "Feature" || f.Geometry == nil || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 {
			t.Fatalf("feature %s: %+v", f.ID, f)
		}
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		if lat < 36 || lat > 36.2 || lon < -115.3 || lon > -115.1 {
			t.Errorf("feature %s at %v,%v is not in Las Vegas (lon, lat order?)", f.ID, lon, lat)
		}
	}
	if fc.Type != "FeatureCollection" || kinds["venue"] != len(c.Venues) || kinds["room"] != len(c.Rooms) || kinds["session"] == 0 {
		t.Errorf("type %q, features by kind %v", fc.Type, kinds)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, miniConference(t), "yaml", WriteOptions{}); err == nil || !strings.Contains(err.Error(), "expected json, csv") {
		t.Errorf("err = %v", err)
	}
}
