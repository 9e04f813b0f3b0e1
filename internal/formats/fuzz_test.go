package formats

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Fuzz targets for every importer: whatever the bytes, Read returns either
// a conference that validates or an error (an *ImportError listing the
// problems, or a coded error), never both, never a panic. Seeds are small
// synthetic files and the start of each real file in ../shared/data (the
// start alone is also a realistic truncated file).

const fuzzSeedBytes = 48 << 10

func addRealSeeds(f *testing.F, rels ...string) {
	dir, ok := sharedDataDir()
	if !ok {
		return // synthetic seeds only
	}
	for _, rel := range rels {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		f.Add(data[:min(len(data), fuzzSeedBytes)])
	}
}

func checkRead(t *testing.T, data []byte, opt ReadOptions) {
	c, warnings, err := Read(bytes.NewReader(data), opt)
	if err != nil {
		if c != nil || warnings != nil {
			t.Fatal("a conference or warnings came back with an error")
		}
		var ie *ImportError
		var ce *errcode.Error
		if !errors.As(err, &ie) && !errors.As(err, &ce) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if ie != nil && (len(ie.Problems) == 0 || len(ie.Problems) > maxProblems) {
			t.Fatalf("%d problems", len(ie.Problems))
		}
		return
	}
	if c == nil {
		t.Fatal("no conference and no error")
	}
	if probs := conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}); hasErrorProblem(probs) {
		t.Fatalf("accepted a conference that does not validate: %v", probs)
	}
	// What was accepted can be exported.
	for _, format := range []string{FormatCSV, FormatFrab, FormatC3voc, FormatICal} {
		if err := Write(io.Discard, c, format, WriteOptions{}); err != nil {
			t.Fatalf("export %s of an accepted conference: %v", format, err)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("title,type,date,start,end,room\nA,T,2026-12-01,23:00,01:00,V | L | R\nB,T,N/A,N/A,N/A,N/A\n"))
	f.Add([]byte("\xEF\xBB\xBFid,title,topics,speakers\nx,\"q\"\"uote\",a\\;b; c,n ()\n"))
	addRealSeeds(f, "reinvent-2024-schedule/all_sessions_filtered.csv", "reinvent-2024-schedule/agenda.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, ReadOptions{Format: FormatCSV, Name: "fuzz.csv", TimeZone: "America/Los_Angeles"})
	})
}

func FuzzReadFrab(f *testing.F) {
	f.Add([]byte(goodFrab))
	f.Add([]byte(`<schedule><conference><title>FOSDEM</title></conference><day date="2023-02-04"><room name="D.x"><event id="1"><start>09:00</start><duration>00:10</duration><title>T</title></event></room></day></schedule>`))
	addRealSeeds(f, "fosdem-schedules/fosdem-2025.xml", "fosdem-schedules/fosdem-2023.xml", "ccc-schedules/38c3-schedule.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, ReadOptions{Format: FormatFrab, Name: "fuzz.xml", TimeZone: "Europe/Brussels"})
	})
}

func FuzzReadC3voc(f *testing.F) {
	f.Add([]byte(goodC3voc))
	f.Add([]byte(`{"schedule":{"conference":{"title":"x","days":[{"date":"2020-01-01","rooms":{"a":[{"id":"1","start":"10:00","duration":"1:00","title":"t"}]}}]}}}`))
	addRealSeeds(f, "ccc-schedules/33c3-schedule.json", "c3voc-schema/examples/frab-camp2019.json",
		"c3voc-schema/examples/pretalx-rc3.json", "c3voc-schema/examples/pretalx-democon.json",
		"c3voc-schema/examples/hub-schedule2.json", "c3voc-schema/examples/invalid-example.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, ReadOptions{Format: FormatC3voc, Name: "fuzz.json", TimeZone: "Europe/Berlin"})
	})
}

func FuzzReadNative(f *testing.F) {
	f.Add([]byte(goodConference))
	f.Add([]byte(`{"format":"venuehop/1","sessions":[{"start":"2026-01-01T10:00"}]}`))
	var demoJSON bytes.Buffer
	if c, err := demoConferenceOrErr(); err == nil {
		WriteNative(&demoJSON, c)
		f.Add(demoJSON.Bytes()[:min(demoJSON.Len(), fuzzSeedBytes)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, ReadOptions{Format: FormatJSON, Name: "fuzz.json"})
	})
}

func FuzzReadICal(f *testing.F) {
	f.Add([]byte(pretalxICS))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=\"x;y\":20260101T100000\r\nDURATION:P1DT2H\r\nSUMMARY:s\r\n x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	var ics bytes.Buffer
	if c, err := demoConferenceOrErr(); err == nil {
		Write(&ics, c, FormatICal, WriteOptions{})
		f.Add(ics.Bytes()[:min(ics.Len(), fuzzSeedBytes)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, ReadOptions{Format: FormatICal, Name: "fuzz.ics", TimeZone: "Europe/Berlin"})
	})
}
