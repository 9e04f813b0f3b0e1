package catalog

import (
	"slices"
	"testing"

	"venuehop/internal/conference"
)

// typoIndex is a small catalog whose words invite typos: long product
// names, compounds written both ways, accented speaker names.
func typoIndex(t *testing.T) *Index {
	t.Helper()
	type s = conference.Session
	type sp = conference.Speaker
	conf := testConference()
	clocks := []string{"16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00"}
	add := func(id, title, abstract string, speakers ...sp) {
		n := len(conf.Sessions) - 9
		conf.Sessions = append(conf.Sessions, s{ID: id, Code: "T" + id[1:], Title: title, Abstract: abstract,
			Type: conference.TypeBreakout, RoomID: "ven-101", Start: at(day2, clocks[n]), End: at(day2, clocks[n][:2]+":50"), Speakers: speakers})
	}
	add("t01", "Kubernetes at scale", "Operators and autoscaling.", sp{Name: "Nguyễn Thị Minh"})
	add("t02", "Amazon DynamoDB deep dive", "Partitions and indexes.", sp{Name: "Jürgen Weiß"})
	add("t03", "Dynamo DB single-table design", "One table for everything.", sp{Name: "Łukasz Żółć"})
	add("t04", "Observability with OpenTelemetry", "Traces, metrics and logs.", sp{Name: "Şerban Ţurcanu"})
	add("t05", "Messaging patterns", "Queues and topics.", sp{Name: "François Hébert"})
	add("t06", "A caching pattern", "Read-through caches.")
	add("t07", "Server less: a history", "Before functions.")
	snap, err := conference.NewSnapshot(conf, 1, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return New(snap)
}

// TestSearchForgivesTypos is the table of misspellings: words of 5+
// letters forgive one edit, 9+ two (a swap of neighbours is one edit),
// spacing and compounds either way, accents never matter; digits and
// short words stay exact.
func TestSearchForgivesTypos(t *testing.T) {
	ix := typoIndex(t)
	tests := []struct {
		name, q string
		want    []string // by relevance
	}{
		{"a letter missing", "kubernets", []string{"t01"}},
		{"two neighbours swapped", "kuberentes", []string{"t01"}},
		{"swapped at the end", "kubernetse", []string{"t01"}},
		{"a letter too many", "kubernetees", []string{"t01"}},
		{"a wrong letter", "kubernatas", []string{"t01"}},         // 10 letters: two edits
		{"three edits is too many", "kubarnatas", nil},            // three substitutions
		{"one edit in a short word", "opertors", []string{"t01"}}, // 8 letters, one deletion
		{"two edits in a short word", "opertrs", nil},             // 7 letters forgive one
		{"five letters forgive one", "tabel", []string{"t03"}},    // a swap
		{"four letters forgive none", "tabl", []string{"t03"}},    // but it is a prefix
		{"four letters, a typo", "tbale", []string{"t03"}},        // five letters: swap
		{"short words stay exact", "dsign", []string{"t03"}},      // five letters: one deletion
		{"too short to forgive", "dsgn", nil},
		{"a typo and an exact word", "observabilty opentelemetry", []string{"t04"}},
		{"two typos in two words", "obsevability opentelemtry", []string{"t04"}},
		{"a word missing is no match", "observability kubernetes", nil},
		{"compound written apart", "dynamo db", []string{"t02", "t03"}},
		{"compound written together", "dynamodb", []string{"t02", "t03"}},
		{"compound any case", "DynamoDB", []string{"t02", "t03"}},
		{"compound with a typo", "dynamdb", []string{"t02"}}, // one deletion from the term; the joined title words are exact only
		{"a word split in two", "server less", []string{"s01", "s03", "t07", "s06", "s09", "s04"}},
		{"two words joined", "serverless", []string{"s01", "s03", "t07", "s06", "s09", "s04"}},
		{"a compound and more", "dynamo db deep", []string{"t02"}},
		{"half a word matches nothing alone", "observ ability", []string{"t04"}},
		{"accents left out", "nguyen thi minh", []string{"t01"}},
		{"umlaut and sharp s", "jurgen weiss", []string{"t02"}},
		{"Polish letters", "lukasz zolc", []string{"t03"}},
		{"Romanian letters", "serban turcanu", []string{"t04"}},
		{"French letters", "francois hebert", []string{"t05"}},
		{"accents left out and a typo", "fracois", []string{"t05"}},
		{"exact before a typo", "patterns", []string{"s01", "t05", "s06", "t06"}}, // t06 has "pattern"
		{"prefix before a typo", "messagin", []string{"t05"}},
		{"a typo of a prefix is not a match", "mesagin", nil},
		{"codes are not forgiven", "svs302", nil},
		{"numbers are not forgiven", "tt05", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(Query{Text: tt.q, Limit: MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Sessions); !slices.Equal(got, tt.want) {
				t.Errorf("%q: got %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestOSADistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"kubernetes", "kubernetes", 0},
		{"kubernets", "kubernetes", 1},
		{"kuberentes", "kubernetes", 1},
		{"ca", "ac", 1},
		{"abc", "ca", 3}, // OSA, not unrestricted Damerau: a swap is not edited again
		{"kitten", "sitting", 3},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := osaDistance(tt.a, tt.b, 5); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := osaDistance(tt.a, tt.b, 0); (tt.want == 0) != (got == 0) {
			t.Errorf("osaDistance(%q, %q, 0) = %d", tt.a, tt.b, got)
		}
	}
}
