package importer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/formats"
	"venuehop/internal/store/sqlite"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		path         string
		file         string
		line, column int
	}{
		{"a.csv:4:21", "a.csv", 4, 21},
		{"dir/x.xml:12", "dir/x.xml", 12, 0},
		{"sessions[3].end", "in.json", 0, 0},
		{`schedule.conference.days[0].rooms["Saal 1"][3].date`, "in.json", 0, 0},
	}
	for _, tc := range tests {
		p := locate("in.json", conference.Problem{Path: tc.path, Message: "m"})
		if p.File != tc.file || p.Line != tc.line || p.Column != tc.column || p.Path != tc.path {
			t.Errorf("%s: %+v", tc.path, p)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64 MB", 1 << 10: "1 KB", 1500: "1500 bytes", 200 << 20: "200 MB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// schedule is a re:Invent-style CSV: no ids, so they come from the content.
const schedule = `type,title,abstract,date,startTime,endTime,room
Breakout session,Queues at scale,Why.,2026-12-01,09:00,10:00,Venetian | Level 2 | Hall B
Breakout session,Queues at scale [REPEAT],Why.,2026-12-03,13:00,14:00,MGM | Level 1 | Room 118
Workshop,Build a thing,How.,2026-12-02,11:00,13:00,Wynn | Level 1 | Lafite 1
Chalk talk,Going away,Bye.,2026-12-02,15:00,16:00,Caesars Forum | Level 1 | Forum 101
`

func TestCSVReimportUpdatesByContent(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	open := func() (*Importer, func()) {
		im, closeIm, err := Open(ctx, st.Stores(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return im, closeIm
	}
	opt := Options{Format: "csv", TimeZone: "America/Los_Angeles", Name: "reinvent.csv"}
	im, closeIm := open()
	first, err := im.Import(ctx, strings.NewReader(schedule), opt)
	closeIm()
	if err != nil || !first.Applied || first.Added != 4 || first.Rev != 1 || first.Name != "reinvent" {
		t.Fatalf("first import: %v %+v", err, first)
	}
	stored, _, _ := st.LoadConference(ctx)
	ids := map[string]string{}
	for _, s := range stored.Sessions {
		ids[s.Title] = s.ID
	}

	tests := []struct {
		name                    string
		file                    string
		opt                     func(*Options)
		added, changed, removed int
		kinds                   map[string]string // title -> kind
		err                     errcode.Code
	}{
		{"the same file: nothing", schedule, nil, 0, 0, 0, nil, ""},
		{"a re-timed workshop keeps its id; a removed talk goes",
			strings.Replace(strings.Replace(schedule, "11:00,13:00", "14:00,16:00", 1), "Chalk talk,Going away,Bye.,2026-12-02,15:00,16:00,Caesars Forum | Level 1 | Forum 101\n", "", 1),
			func(o *Options) { o.Confirm = true }, 0, 1, 1, map[string]string{"Build a thing": "moved", "Going away": "removed"}, ""},
		{"a stale base revision", schedule, func(o *Options) { o.BaseRev = 1 }, 0, 0, 0, nil, errcode.Conflict},
		{"a dry run of a broken file", strings.Replace(schedule, "09:00,10:00", "9am,10:00", 1), func(o *Options) { o.DryRun = true }, 0, 0, 0, nil, errcode.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im, closeIm := open()
			defer closeIm()
			o := opt
			o.Name = "renamed.csv" // a CSV names no conference: the stored name stays
			if tc.opt != nil {
				tc.opt(&o)
			}
			_, revBefore, _ := st.LoadConference(ctx)
			sum, err := im.Import(ctx, strings.NewReader(tc.file), o)
			if tc.err != "" {
				var ie *formats.ImportError
				if !errcode.Is(err, tc.err) && !(tc.err == errcode.Invalid && errors.As(err, &ie)) {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				if _, rev, _ := st.LoadConference(ctx); rev != revBefore {
					t.Error("a refused import stored a revision")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != tc.added || sum.Changed != tc.changed || sum.Removed != tc.removed || sum.Name != "reinvent" {
				t.Fatalf("summary %+v", sum)
			}
			for _, ch := range sum.Changes {
				if want := tc.kinds[ch.Title]; want != "" && want != ch.Kind {
					t.Errorf("%s: %s, want %s", ch.Title, ch.Kind, want)
				}
			}
			now, _, _ := st.LoadConference(ctx)
			for _, s := range now.Sessions {
				if s.Title == "Build a thing" && s.ID != ids["Build a thing"] {
					t.Errorf("the re-timed workshop got a new id %s (was %s)", s.ID, ids["Build a thing"])
				}
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	im := &Importer{MaxBytes: 10}
	_, err := im.Import(context.Background(), io.LimitReader(zeros{}, 100), Options{})
	if !errcode.Is(err, errcode.TooLarge) || !strings.Contains(err.Error(), "import limit of 10 bytes") {
		t.Errorf("%v", err)
	}
	if (&Importer{}).Limit() != formats.MaxFileBytes {
		t.Error("the default limit is not the readers' limit")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { return len(p), nil }
