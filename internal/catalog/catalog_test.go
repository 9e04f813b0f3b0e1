package catalog

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

const (
	day1 = "2026-11-30"
	day2 = "2026-12-01"
	day3 = "2026-12-02"
)

var la = mustZone("America/Los_Angeles")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a conference-zone time on a day, "HH:MM".
func at(day, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, la)
	if err != nil {
		panic(err)
	}
	return t
}

// testConference is small enough to know every answer by hand: three days,
// three venues, nine sessions (one cancelled, one unscheduled, one repeat).
func testConference() *conference.Conference {
	type sp = conference.Speaker
	return &conference.Conference{
		Format: conference.FormatVersion, ID: "test", Name: "Test Conf",
		TimeZone: "America/Los_Angeles", Days: []string{day1, day2, day3},
		Venues: []conference.Venue{
			{ID: "venetian", Name: "Venetian", Lat: 36.12, Lon: -115.17},
			{ID: "mgm", Name: "MGM Grand", Lat: 36.10, Lon: -115.17},
			{ID: "wynn", Name: "Wynn", Lat: 36.13, Lon: -115.16},
		},
		Rooms: []conference.Room{
			{ID: "ven-101", VenueID: "venetian", Name: "101", Capacity: 200},
			{ID: "ven-102", VenueID: "venetian", Name: "102", Capacity: 100},
			{ID: "mgm-a", VenueID: "mgm", Name: "A", Capacity: 300},
			{ID: "wynn-1", VenueID: "wynn", Name: "1", Capacity: 50},
		},
		Sessions: []conference.Session{
			{ID: "s01", Code: "SVS301", Title: "Serverless patterns at scale", Abstract: "Event-driven designs with queues and functions.",
				Type: conference.TypeBreakout, Level: 300, Topics: []string{"Serverless Compute"},
				Speakers: []sp{{Name: "José Müller", Company: "Amazon Web Services"}},
				RoomID:   "ven-101", Start: at(day1, "10:00"), End: at(day1, "11:00"), Reservable: true, Recorded: true},
			{ID: "s02", Code: "DAT201", Title: "Développement de bases de données", Abstract: "Modern databases for builders, called from lambdas; see also SVS401.",
				Type: conference.TypeChalkTalk, Level: 200, Topics: []string{"Databases"},
				Speakers: []sp{{Name: "Anna Schmidt", Company: "Straßenbau AG"}},
				RoomID:   "mgm-a", Start: at(day1, "10:00"), End: at(day1, "11:00"), Reservable: true},
			{ID: "s03", Code: "SVS401", Title: "Advanced serverless debugging", Abstract: "Trace Lambda functions end to end.",
				Type: conference.TypeWorkshop, Level: 400, Topics: []string{"Serverless Compute", "Cloud Operations"},
				Speakers: []sp{{Name: "Priya Raman", Company: "Acme"}},
				RoomID:   "wynn-1", Start: at(day2, "13:00"), End: at(day2, "15:00"), Reservable: true},
			{ID: "s04", Code: "ARC302", Title: "Architecture for resilient systems", Abstract: "Cells, shuffle sharding and serverless building blocks.",
				Type: conference.TypeBreakout, Level: 300, Topics: []string{"Architecture"},
				Speakers: []sp{{Name: "Li Wei", Company: "Globex"}},
				RoomID:   "ven-102", Start: at(day2, "09:00"), End: at(day2, "10:00"), Recorded: true},
			{ID: "s05", Code: "KEY001", Title: "Keynote: the road ahead", Type: conference.TypeKeynote,
				RoomID: "ven-101", Start: at(day1, "19:30"), End: at(day1, "21:00"), Recorded: true},
			{ID: "s06", Code: "SVS301-R", Title: "Serverless patterns at scale", Abstract: "Event-driven designs with queues and functions.",
				Type: conference.TypeBreakout, Level: 300, Topics: []string{"Serverless Compute"},
				Speakers: []sp{{Name: "José Müller", Company: "Amazon Web Services"}}, RepeatGroup: "s01",
				RoomID: "mgm-a", Start: at(day3, "08:30"), End: at(day3, "09:30"), Reservable: true, Recorded: true},
			{ID: "s07", Code: "CAN100", Title: "Serverless talk that was cancelled", Type: conference.TypeBreakout, Level: 300,
				RoomID: "ven-102", Start: at(day1, "14:00"), End: at(day1, "15:00"), Cancelled: true},
			{ID: "s08", Code: "BLD200", Title: "Builders' session on storage", Type: conference.TypeBuildersSession, Level: 200,
				Topics: []string{"Storage"}},
			{ID: "s09", Code: "SVS202", Title: "Serverless in twenty minutes", Type: conference.TypeLightningTalk, Level: 200,
				Topics: []string{"Serverless Compute"}, RoomID: "wynn-1", Start: at(day3, "12:00"), End: at(day3, "12:20"), Reservable: true},
		},
	}
}

func testIndex(t testing.TB, rev int64) *Index {
	t.Helper()
	snap, err := conference.NewSnapshot(testConference(), rev, conference.ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return New(snap)
}

func ids(sessions []*conference.Session) []string {
	out := make([]string, len(sessions))
	for i, s := range sessions {
		out[i] = s.ID
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestSearch(t *testing.T) {
	ix := testIndex(t, 1)
	all := []string{"s01", "s02", "s05", "s04", "s03", "s06", "s09", "s08"}
	tests := []struct {
		name string
		q    Query
		want []string // in start order
	}{
		{"everything but the cancelled, unscheduled last", Query{}, all},
		{"word in title, abstract and topic", Query{Text: "serverless"}, []string{"s01", "s04", "s03", "s06", "s09"}},
		{"any case", Query{Text: "SERVERLESS"}, []string{"s01", "s04", "s03", "s06", "s09"}},
		{"prefix", Query{Text: "serv"}, []string{"s01", "s04", "s03", "s06", "s09"}},
		{"accented text, accented query", Query{Text: "Développement"}, []string{"s02"}},
		{"accented text, plain query", Query{Text: "developpement"}, []string{"s02"}},
		{"accented text, plain prefix", Query{Text: "DEVEL"}, []string{"s02"}},
		{"accented prefix", Query{Text: "dévelop"}, []string{"s02"}},
		{"speaker name", Query{Text: "José Müller"}, []string{"s01", "s06"}},
		{"speaker name without accents", Query{Text: "jose muller"}, []string{"s01", "s06"}},
		{"speaker name prefix", Query{Text: "müll"}, []string{"s01", "s06"}},
		{"speaker company with ß", Query{Text: "strasse"}, []string{"s02"}},
		{"ß in the query", Query{Text: "Straßenbau"}, []string{"s02"}},
		{"code", Query{Text: "SVS301"}, []string{"s01", "s06"}},
		{"code with its dash", Query{Text: "svs301-r"}, []string{"s06"}},
		{"code without its dash", Query{Text: "svs301r"}, []string{"s06"}},
		{"code lower case", Query{Text: "dat201"}, []string{"s02"}},
		{"topic", Query{Text: "cloud operations"}, []string{"s03"}},
		{"AND of words", Query{Text: "serverless debugging"}, []string{"s03"}},
		{"AND across fields", Query{Text: "serverless architecture"}, []string{"s04"}},
		{"AND of prefixes", Query{Text: "pat sca"}, []string{"s01", "s06"}},
		{"punctuation is ignored", Query{Text: "  serverless,   debugging! "}, []string{"s03"}},
		{"apostrophe", Query{Text: "builder's"}, []string{"s02", "s08"}},
		{"no match", Query{Text: "kubernetes"}, nil},
		{"one word missing", Query{Text: "serverless kubernetes"}, nil},
		{"cancelled excluded", Query{Text: "cancelled"}, nil},
		{"cancelled included on request", Query{Text: "cancelled", IncludeCancelled: true}, []string{"s07"}},

		{"type", Query{Types: []string{"Breakout session"}}, []string{"s01", "s04", "s06"}},
		{"type any case", Query{Types: []string{"BREAKOUT session"}}, []string{"s01", "s04", "s06"}},
		{"type with apostrophe", Query{Types: []string{"builders' session"}}, []string{"s08"}},
		{"types OR", Query{Types: []string{"Workshop", "chalk talk"}}, []string{"s02", "s03"}},
		{"unknown type", Query{Types: []string{"Hackathon"}}, nil},
		{"level", Query{Levels: []int{300}}, []string{"s01", "s04", "s06"}},
		{"levels OR", Query{Levels: []int{200, 400}}, []string{"s02", "s03", "s09", "s08"}},
		{"topic filter", Query{Topics: []string{"serverless compute"}}, []string{"s01", "s03", "s06", "s09"}},
		{"topics OR", Query{Topics: []string{"Databases", "Storage"}}, []string{"s02", "s08"}},
		{"venue", Query{Venues: []string{"mgm"}}, []string{"s02", "s06"}},
		{"venue any case", Query{Venues: []string{"VENETIAN"}}, []string{"s01", "s05", "s04"}},
		{"venues OR", Query{Venues: []string{"mgm", "wynn"}}, []string{"s02", "s03", "s06", "s09"}},
		{"day", Query{Days: []string{day2}}, []string{"s04", "s03"}},
		{"days OR", Query{Days: []string{day1, day3}}, []string{"s01", "s02", "s05", "s06", "s09"}},
		{"from time of day", Query{FromClock: 10 * 60}, []string{"s01", "s02", "s05", "s03", "s09"}},
		{"to time of day", Query{ToClock: 10 * 60}, []string{"s04", "s06"}},
		{"time of day window", Query{FromClock: 9 * 60, ToClock: 11 * 60}, []string{"s01", "s02", "s04"}},
		{"from and to instants", Query{From: at(day1, "12:00"), To: at(day2, "23:00")}, []string{"s05", "s04", "s03"}},
		{"from instant, inclusive", Query{From: at(day3, "12:00")}, []string{"s09"}},
		{"to instant, inclusive", Query{To: at(day1, "11:00")}, []string{"s01", "s02"}},
		{"still running or to come", Query{EndAfter: at(day1, "10:30")}, []string{"s01", "s02", "s05", "s04", "s03", "s06", "s09"}},
		{"ended at the instant is ended", Query{EndAfter: at(day1, "11:00")}, []string{"s05", "s04", "s03", "s06", "s09"}},
		{"reservable", Query{Reservable: ptr(true)}, []string{"s01", "s02", "s03", "s06", "s09"}},
		{"not reservable", Query{Reservable: ptr(false)}, []string{"s05", "s04", "s08"}},
		{"recorded", Query{Recorded: ptr(true)}, []string{"s01", "s05", "s04", "s06"}},
		{"not recorded", Query{Recorded: ptr(false)}, []string{"s02", "s03", "s09", "s08"}},

		{"AND across filters", Query{Types: []string{"Breakout session"}, Days: []string{day1}}, []string{"s01"}},
		{"OR within, AND across", Query{Types: []string{"Breakout session", "Workshop"}, Venues: []string{"wynn", "mgm"}}, []string{"s03", "s06"}},
		{"text and filters", Query{Text: "serverless", Recorded: ptr(true), Levels: []int{300}}, []string{"s01", "s04", "s06"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Sort = SortStart
			res, err := ix.Search(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Sessions); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if res.Total != len(tt.want) {
				t.Errorf("total %d, want %d", res.Total, len(tt.want))
			}
			if res.Next != "" {
				t.Errorf("next %q on the only page", res.Next)
			}
		})
	}
}

func TestSearchOrder(t *testing.T) {
	ix := testIndex(t, 1)
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		// A title match (s01, s03, s06, s09) outranks an abstract match (s04);
		// equal scores go by start.
		{"relevance is the default with text", Query{Text: "serverless"}, []string{"s01", "s03", "s06", "s09", "s04"}},
		{"relevance explicitly", Query{Text: "serverless", Sort: "Relevance"}, []string{"s01", "s03", "s06", "s09", "s04"}},
		{"start overrides", Query{Text: "serverless", Sort: "start"}, []string{"s01", "s04", "s03", "s06", "s09"}},
		// s03 has the exact word, s02 only a longer one ("lambdas").
		{"exact word beats prefix", Query{Text: "lambda"}, []string{"s03", "s02"}},
		// s03 has the code, the earlier s02 mentions it in its abstract.
		{"code beats abstract", Query{Text: "svs401"}, []string{"s03", "s02"}},
		{"equal scores go by start", Query{Text: "müller"}, []string{"s01", "s06"}},
		{"start is the default without text", Query{}, []string{"s01", "s02", "s05", "s04", "s03", "s06", "s09", "s08"}},
		{"relevance without text falls back to start", Query{Sort: SortRelevance}, []string{"s01", "s02", "s05", "s04", "s03", "s06", "s09", "s08"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Sessions); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFacets(t *testing.T) {
	ix := testIndex(t, 1)
	tests := []struct {
		name  string
		q     Query
		total int
		want  map[string]map[string]int
	}{
		{
			name:  "no selection counts every live session",
			q:     Query{},
			total: 8,
			want: map[string]map[string]int{
				"type": {"Breakout session": 3, "Chalk talk": 1, "Workshop": 1, "Keynote": 1, "Builders' session": 1, "Lightning talk": 1},
				// The keynote has no level; the unscheduled session no day or venue.
				"level": {"200": 3, "300": 3, "400": 1},
				"topic": {"Serverless Compute": 4, "Databases": 1, "Cloud Operations": 1, "Architecture": 1, "Storage": 1},
				"venue": {"venetian": 3, "mgm": 2, "wynn": 2},
				"day":   {day1: 3, day2: 2, day3: 2},
			},
		},
		{
			// Each facet ignores its own filter and applies the others.
			name:  "type and day selected",
			q:     Query{Types: []string{"Breakout session"}, Days: []string{day1}},
			total: 1,
			want: map[string]map[string]int{
				"type":  {"Breakout session": 1, "Chalk talk": 1, "Workshop": 0, "Keynote": 1, "Builders' session": 0, "Lightning talk": 0},
				"level": {"200": 0, "300": 1, "400": 0},
				"topic": {"Serverless Compute": 1, "Databases": 0, "Cloud Operations": 0, "Architecture": 0, "Storage": 0},
				"venue": {"venetian": 1, "mgm": 0, "wynn": 0},
				"day":   {day1: 1, day2: 1, day3: 1},
			},
		},
		{
			name:  "text applies to every facet",
			q:     Query{Text: "serverless", Venues: []string{"mgm"}},
			total: 1,
			want: map[string]map[string]int{
				"type":  {"Breakout session": 1, "Chalk talk": 0, "Workshop": 0, "Keynote": 0, "Builders' session": 0, "Lightning talk": 0},
				"level": {"200": 0, "300": 1, "400": 0},
				"topic": {"Serverless Compute": 1, "Databases": 0, "Cloud Operations": 0, "Architecture": 0, "Storage": 0},
				"venue": {"venetian": 2, "mgm": 1, "wynn": 2},
				"day":   {day1: 0, day2: 0, day3: 1},
			},
		},
		{
			name:  "multi-value selection in its own facet",
			q:     Query{Levels: []int{200, 400}, Recorded: ptr(false)},
			total: 4,
			want: map[string]map[string]int{
				"type":  {"Breakout session": 0, "Chalk talk": 1, "Workshop": 1, "Keynote": 0, "Builders' session": 1, "Lightning talk": 1},
				"level": {"200": 3, "300": 0, "400": 1},
				"topic": {"Serverless Compute": 2, "Databases": 1, "Cloud Operations": 1, "Architecture": 0, "Storage": 1},
				"venue": {"venetian": 0, "mgm": 1, "wynn": 2},
				"day":   {day1: 1, day2: 1, day3: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.total {
				t.Errorf("total %d, want %d", res.Total, tt.total)
			}
			if !reflect.DeepEqual(res.Facets, tt.want) {
				t.Errorf("facets\n got %v\nwant %v", res.Facets, tt.want)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	ix := testIndex(t, 1)
	tests := []struct {
		name  string
		q     Query
		pages int
	}{
		{"by start, 2 a page", Query{Limit: 2}, 4},
		{"by start, 3 a page", Query{Limit: 3}, 3},
		{"one a page", Query{Limit: 1}, 8},
		{"relevance, 2 a page", Query{Text: "serverless", Limit: 2}, 3},
		{"relevance, filtered", Query{Text: "s", Types: []string{"Breakout session", "Workshop"}, Limit: 2}, 2},
		{"everything on one page", Query{Limit: 200}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unpaged := tt.q
			unpaged.Limit = MaxLimit
			whole, err := ix.Search(unpaged)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			q, pages := tt.q, 0
			for {
				res, err := ix.Search(q)
				if err != nil {
					t.Fatalf("page %d: %v", pages+1, err)
				}
				pages++
				if len(res.Sessions) > tt.q.Limit {
					t.Fatalf("page %d has %d sessions, limit %d", pages, len(res.Sessions), tt.q.Limit)
				}
				if res.Total != whole.Total {
					t.Errorf("page %d: total %d, want %d", pages, res.Total, whole.Total)
				}
				got = append(got, ids(res.Sessions)...)
				if res.Next == "" {
					break
				}
				if pages > 20 {
					t.Fatal("paging does not end")
				}
				q.Cursor = res.Next
			}
			if pages != tt.pages {
				t.Errorf("%d pages, want %d", pages, tt.pages)
			}
			// Every match once, in the same order as unpaged.
			if want := ids(whole.Sessions); !slices.Equal(got, want) {
				t.Errorf("paged %v, unpaged %v", got, want)
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	ix := testIndex(t, 1)
	first, err := ix.Search(Query{Types: []string{"Breakout session"}, Limit: 1})
	if err != nil || first.Next == "" {
		t.Fatalf("want a first page with a next cursor, got %v, %v", first, err)
	}
	newer := testIndex(t, 2)
	tests := []struct {
		name string
		ix   *Index
		q    Query
		msg  string
	}{
		{"cursor not base64", ix, Query{Cursor: "not a cursor!"}, "cursor"},
		{"cursor too short", ix, Query{Cursor: "AAAA"}, "cursor"},
		{"cursor of another query", ix, Query{Types: []string{"Workshop"}, Cursor: first.Next}, "cursor"},
		{"cursor of another sort", ix, Query{Types: []string{"Breakout session"}, Sort: SortRelevance, Cursor: first.Next}, "cursor"},
		{"cursor of an older catalog", newer, Query{Types: []string{"Breakout session"}, Cursor: first.Next}, "cursor"},
		{"limit over the max", ix, Query{Limit: MaxLimit + 1}, "limit"},
		{"negative limit", ix, Query{Limit: -1}, "limit"},
		{"unknown sort", ix, Query{Sort: "popularity"}, "sort"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ix.Search(tt.q)
			if !errcode.Is(err, errcode.Invalid) {
				t.Fatalf("got %v, want an invalid error", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not name %q", err, tt.msg)
			}
		})
	}
	// The same cursor with the same query (filter values in another case
	// and order) goes on.
	res, err := ix.Search(Query{Types: []string{"BREAKOUT SESSION"}, Limit: 1, Cursor: first.Next})
	if err != nil || len(res.Sessions) != 1 || res.Sessions[0].ID == first.Sessions[0].ID {
		t.Errorf("second page: %v, %v", ids(res.Sessions), err)
	}
}

func TestParseQuery(t *testing.T) {
	snap := testIndex(t, 1).Snapshot()
	tests := []struct {
		name  string
		query string
		want  Query
	}{
		{"nothing", "", Query{}},
		{"everything", "q=+serverless+&type=Workshop,Chalk+talk&type=Keynote&level=300,200&topic=AI/ML&venue=mgm" +
			"&day=2026-12-01&from=10:00&to=2026-12-01T18:00:00-08:00&reservable=TRUE&recorded=false&sort=Start&limit=10&cursor=abc&unknown=x",
			Query{Text: "serverless", Types: []string{"Workshop", "Chalk talk", "Keynote"}, Levels: []int{300, 200},
				Topics: []string{"AI/ML"}, Venues: []string{"mgm"}, Days: []string{day2}, FromClock: 600,
				To: time.Date(2026, 12, 1, 18, 0, 0, 0, time.FixedZone("", -8*3600)), Reservable: ptr(true), Recorded: ptr(false),
				Sort: SortStart, Limit: 10, Cursor: "abc"}},
		{"empty values filter nothing", "type=&level=&day=,&from=&reservable=&sort=&limit=", Query{}},
		{"local time without offset is in the conference zone", "from=2026-12-01T10:05&to=24:00",
			Query{From: at(day2, "10:05"), ToClock: 1440}},
		{"unescaped plus in an offset", "from=2026-12-01T10:05:00+01:00",
			Query{From: time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseQuery(v, snap)
			if err != nil {
				t.Fatal(err)
			}
			// Compare instants as instants.
			for _, p := range [][2]*time.Time{{&got.From, &tt.want.From}, {&got.To, &tt.want.To}} {
				if !p[0].Equal(*p[1]) {
					t.Errorf("time %v, want %v", *p[0], *p[1])
				}
				*p[0], *p[1] = time.Time{}, time.Time{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	snap := testIndex(t, 1).Snapshot()
	tests := []struct{ query, param string }{
		{"level=abc", "level"},
		{"level=300,-1", "level"},
		{"day=2026-13-01", "day"},
		{"day=12/01/2026", "day"},
		{"from=25:00", "from"},
		{"from=tomorrow", "from"},
		{"to=12:60", "to"},
		{"to=2026-12-01T25:00:00Z", "to"},
		{"reservable=maybe", "reservable"},
		{"recorded=yes", "recorded"},
		{"sort=popularity", "sort"},
		{"limit=0", "limit"},
		{"limit=-5", "limit"},
		{"limit=201", "limit"},
		{"limit=ten", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseQuery(v, snap)
			var e *errcode.Error
			if !errcode.Is(err, errcode.Invalid) || !errors.As(err, &e) {
				t.Fatalf("got %v, want an invalid *errcode.Error", err)
			}
			if !strings.HasPrefix(e.Message, tt.param+": expected ") {
				t.Errorf("message %q does not start with %q", e.Message, tt.param+": expected ")
			}
		})
	}
}

// A query parsed from the API's parameters finds what the parameters say.
func TestParseThenSearch(t *testing.T) {
	ix := testIndex(t, 1)
	tests := []struct {
		query string
		want  []string
	}{
		{"q=jos&day=2026-11-30,2026-12-02", []string{"s01", "s06"}},
		{"q=SVS&venue=wynn&sort=start", []string{"s03", "s09"}},
		{"type=breakout+session&from=09:00&to=10:00", []string{"s04"}},
		{"reservable=false&recorded=true", []string{"s05", "s04"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			q, err := ParseQuery(v, ix.Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			res, err := ix.Search(q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Sessions); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Développement Ünïcode", []string{"developpement", "unicode"}},
		{"Straße ŁÓDŹ Œuvre", []string{"strasse", "lodz", "oeuvre"}},
		{"Cafe\u0301 (decomposed)", []string{"cafe", "decomposed"}},
		{"SVS301-R1, AI/ML", []string{"svs301", "r1", "ai", "ml"}},
		{"Builders’ session", []string{"builders", "session"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		if got := tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
