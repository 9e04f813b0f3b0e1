package formats

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"venuehop/internal/demo"
)

// The JSON Schema in docs/ documents the native file; the demo's file must
// pass it, and so must a file that ReadNative accepts.
func TestDemoMatchesDocumentedSchema(t *testing.T) {
	schema := conferenceSchema(t)
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteNative(&buf, c); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the demo does not match docs/conference.schema.json: %v", err)
	}
	if _, _, err := ReadNative(&buf, "demo.json"); err != nil {
		t.Fatalf("ReadNative rejects the demo: %v", err)
	}

	// And the schema does reject what the reader rejects.
	var bad map[string]any
	json.Unmarshal([]byte(strings.Replace(goodConference, `"capacity": 100`, `"capacity": -1`, 1)), &bad)
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepts a negative capacity")
	}
}

// conferenceSchema compiles docs/conference.schema.json.
func conferenceSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../../docs/conference.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("conference.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("conference.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return schema
}
