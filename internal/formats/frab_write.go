package formats

import (
	"encoding/xml"
	"io"
	"regexp"
	"time"

	"venuehop/internal/conference"
)

// The frab writer's XML shapes follow c3voc's schedule.xml.xsd (the
// element order inside <event> and <conference> is free there).

type xSchedule struct {
	XMLName    xml.Name    `xml:"schedule"`
	Generator  xGenerator  `xml:"generator"`
	Version    string      `xml:"version"`
	Conference xConference `xml:"conference"`
	Days       []xDay      `xml:"day"`
}

type xGenerator struct {
	Name string `xml:"name,attr"`
}

type xConference struct {
	Acronym      string   `xml:"acronym"`
	Title        string   `xml:"title"`
	Start        string   `xml:"start"`
	End          string   `xml:"end"`
	Days         int      `xml:"days"`
	Timeslot     string   `xml:"timeslot_duration"`
	BaseURL      string   `xml:"base_url,omitempty"`
	TimeZoneName string   `xml:"time_zone_name"`
	Tracks       []xTrack `xml:"track"`
}

type xTrack struct {
	Name string `xml:"name,attr"`
	Slug string `xml:"slug,attr,omitempty"`
}

type xDay struct {
	Index int     `xml:"index,attr"`
	Date  string  `xml:"date,attr"`
	Start string  `xml:"start,attr"`
	End   string  `xml:"end,attr"`
	Rooms []xRoom `xml:"room"`
}

type xRoom struct {
	Name   string   `xml:"name,attr"`
	GUID   string   `xml:"guid,attr"`
	Events []xEvent `xml:"event"`
}

type xEvent struct {
	GUID      string     `xml:"guid,attr"`
	ID        int        `xml:"id,attr"`
	Code      string     `xml:"code,attr,omitempty"`
	Date      string     `xml:"date"`
	Start     string     `xml:"start"`
	Duration  string     `xml:"duration"`
	Room      string     `xml:"room"`
	Slug      string     `xml:"slug"`
	URL       string     `xml:"url,omitempty"`
	Title     string     `xml:"title"`
	Subtitle  string     `xml:"subtitle"`
	Track     string     `xml:"track"`
	Type      string     `xml:"type"`
	Abstract  string     `xml:"abstract"`
	Persons   []xPerson  `xml:"persons>person"`
	Links     xLinks     `xml:"links"`
	Recording xRecording `xml:"recording"`
}

type xPerson struct {
	Name string `xml:",chardata"`
}

type xLinks struct {
	Links []xLink `xml:"link"`
}

type xLink struct {
	Href string `xml:"href,attr"`
	Text string `xml:",chardata"`
}

type xRecording struct {
	License string `xml:"license"`
	Optout  bool   `xml:"optout"`
}

var (
	xsdAcronymRE   = regexp.MustCompile(`^[a-z0-9_-]{4,}$`)
	xsdTrackSlugRE = regexp.MustCompile(`^[a-z][a-z0-9-]+$`)
	pretalxCodeRE  = regexp.MustCompile(`^[0-9A-Z]{6}$`)
)

// writeFrab writes schedule.xml. Sessions without a time or room, and
// cancelled ones, have no place in the format and are left out.
func writeFrab(w io.Writer, c *conference.Conference, opt WriteOptions) error {
	p, err := planExport(c)
	if err != nil {
		return err
	}
	doc := xSchedule{
		Generator: xGenerator{Name: "venuehop"},
		Version:   firstNonEmpty(opt.Version, "1"),
		Conference: xConference{
			Acronym:      p.acronym,
			Title:        c.Name,
			Days:         len(p.days),
			Timeslot:     "00:05",
			TimeZoneName: c.TimeZone,
		},
	}
	if xsdAcronymRE.MatchString(c.ID) {
		doc.Conference.Acronym = c.ID
	}
	if u := sessionURL(opt.BaseURL, "x"); u != "" {
		doc.Conference.BaseURL = opt.BaseURL
	}
	if len(p.days) > 0 {
		doc.Conference.Start, doc.Conference.End = p.days[0].date, p.days[len(p.days)-1].date
	}
	for _, t := range p.tracks {
		tr := xTrack{Name: t}
		if s := slug(t); xsdTrackSlugRE.MatchString(s) {
			tr.Slug = s
		}
		doc.Conference.Tracks = append(doc.Conference.Tracks, tr)
	}
	for i, d := range p.days {
		xd := xDay{Index: i + 1, Date: d.date, Start: d.start.In(p.loc).Format(time.RFC3339), End: d.end.In(p.loc).Format(time.RFC3339)}
		for _, r := range d.rooms {
			xr := xRoom{Name: p.roomStr[r.room.ID], GUID: stableUUID(c.ID, "room:"+r.room.ID)}
			for _, s := range r.sessions {
				xr.Events = append(xr.Events, p.frabEvent(s, opt))
			}
			xd.Rooms = append(xd.Rooms, xr)
		}
		doc.Days = append(doc.Days, xd)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

func (p *exportPlan) frabEvent(s *conference.Session, opt WriteOptions) xEvent {
	start := s.Start.In(p.loc)
	ev := xEvent{
		GUID:      stableUUID(p.c.ID, s.ID),
		ID:        p.numID[s.ID],
		Date:      start.Format(time.RFC3339),
		Start:     start.Format("15:04"),
		Duration:  formatDuration(s.End.Sub(s.Start)),
		Room:      p.roomStr[s.RoomID],
		Slug:      p.slugs[s.ID],
		URL:       sessionURL(opt.BaseURL, s.ID),
		Title:     s.Title,
		Type:      s.Type,
		Abstract:  s.Abstract,
		Recording: xRecording{Optout: !s.Recorded},
	}
	if pretalxCodeRE.MatchString(s.Code) && !numericRE.MatchString(s.Code) {
		ev.Code = s.Code
	}
	if len(s.Topics) > 0 {
		ev.Track = s.Topics[0]
	}
	for _, sp := range s.Speakers {
		ev.Persons = append(ev.Persons, xPerson{Name: sp.Name})
	}
	if s.RecordingURL != "" {
		ev.Links.Links = append(ev.Links.Links, xLink{Href: s.RecordingURL, Text: "Video recording"})
	}
	return ev
}
