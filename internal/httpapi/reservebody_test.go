package httpapi

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestParseSessionIDs: the fast path takes the plain bodies and gives what
// encoding/json gives; everything else it leaves to encoding/json.
func TestParseSessionIDs(t *testing.T) {
	tests := []struct {
		body string
		want []string // nil: not taken by the fast path
	}{
		{`{"sessionIds":["ARC301"]}`, []string{"ARC301"}},
		{"{ \"sessionIds\" :\n[ \"a\" ,\t\"b-2\" ] }\r\n", []string{"a", "b-2"}},
		{`{"sessionIds":[]}`, []string{}},
		{`{"sessionIds":["a","a"]}`, []string{"a", "a"}},
		{`{"sessionIds":[""]}`, []string{""}},
		{`{"sessionIds":["\u0041"]}`, nil},
		{`{"sessionIds":["a\"b"]}`, nil},
		{`{"sessionIds":["é"]}`, nil},
		{"{\"sessionIds\":[\"a\x01\"]}", nil},
		{`{"SessionIds":["a"]}`, nil},
		{`{"sessionIds":null}`, nil},
		{`{"sessionIds":["a"],"x":1}`, nil},
		{`{"sessionIds":["a"],"sessionIds":["b"]}`, nil},
		{`{"sessionIds":["a"]}{}`, nil},
		{`{"sessionIds":["a"]}]`, nil},
		{`{"sessionIds":["a",]}`, nil},
		{`{"sessionIds":["a"`, nil},
		{`{"sessionIds":[1]}`, nil},
		{`{}`, nil},
		{``, nil},
		{`[]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			got, ok := parseSessionIDs([]byte(tt.body))
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) || ok && got == nil {
				t.Fatalf("parseSessionIDs = %q, %v; want %q", got, ok, tt.want)
			}
			if ok {
				agreeWithJSON(t, []byte(tt.body), got)
			}
		})
	}
}

func agreeWithJSON(t *testing.T, body []byte, got []string) {
	t.Helper()
	var in struct {
		SessionIDs []string `json:"sessionIds"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatalf("fast path took %q, which encoding/json refuses: %v", body, err)
	}
	if !slices.Equal(in.SessionIDs, got) || (in.SessionIDs == nil) != (got == nil) {
		t.Fatalf("%q: fast path %q, encoding/json %q", body, got, in.SessionIDs)
	}
}

func FuzzParseSessionIDs(f *testing.F) {
	for _, s := range []string{`{"sessionIds":["ARC301"]}`, `{ "sessionIds": [ "a", "b" ] }`, `{"sessionIds":[]}`, `{"sessionIds":["a"]} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, ok := parseSessionIDs(body); ok {
			agreeWithJSON(t, body, got)
		}
	})
}
