package formats

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"venuehop/internal/demo"
)

// TestTravelSchemaRejects checks that docs/conference.schema.json describes
// the travel model strictly: the demo's model passes (TestDemoMatches…),
// and each broken copy of it fails.
func TestTravelSchemaRejects(t *testing.T) {
	schema := conferenceSchema(t)
	c, err := demo.Generate(demo.Options{Seed: 1, Start: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteNative(&buf, c); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		spoil func(travel map[string]any)
	}{
		{"an unknown field", func(tm map[string]any) { tm["speed"] = 1.3 }},
		{"a negative walking speed", func(tm map[string]any) { tm["walkSpeed"] = -1 }},
		{"an entrance without coordinates", func(tm map[string]any) { delete(firstOf(tm, "entrances"), "lat") }},
		{"a polyline point out of range", func(tm map[string]any) {
			firstOf(tm, "walkLinks")["path"] = []any{[]any{-115.17, 36.12}, []any{200.0, 36.12}}
		}},
		{"a one-point path", func(tm map[string]any) { firstOf(tm, "walkLinks")["path"] = []any{[]any{-115.17, 36.12}} }},
		{"service hours of 25:00", func(tm map[string]any) {
			firstOf(tm, "shuttles")["service"] = []any{map[string]any{"start": "06:00", "end": "25:00"}}
		}},
		{"a headway of 0", func(tm map[string]any) { firstOf(tm, "shuttles")["headwayMinutes"] = 0 }},
		{"a line with one stop", func(tm map[string]any) {
			firstOf(tm, "monorail")["stops"] = firstOf(tm, "monorail")["stops"].([]any)[:1]
		}},
		{"a negative access time", func(tm map[string]any) { firstOf(tm, "rooms")["minutes"] = -5 }},
		{"a peak factor of 50", func(tm map[string]any) {
			p := firstOf(tm, "shuttles")["profile"].(map[string]any)
			p["peaks"].([]any)[0].(map[string]any)["factor"] = 50
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inst map[string]any
			if err := json.Unmarshal(buf.Bytes(), &inst); err != nil {
				t.Fatal(err)
			}
			tt.spoil(inst["travel"].(map[string]any))
			if err := schema.Validate(inst); err == nil {
				t.Error("the schema accepts it")
			}
		})
	}
}

// firstOf is the first element of a travel model list, as a JSON object.
func firstOf(tm map[string]any, list string) map[string]any {
	return tm[list].([]any)[0].(map[string]any)
}
