package formats

import (
	"encoding/json"
	"io"
	"time"

	"venuehop/internal/conference"
)

// GeoJSON (RFC 7946): one Point feature per venue, per room and per
// session with a room, at the venue's coordinates (rooms have none of their
// own). A venue without coordinates (lat and lon 0, e.g. online) has a null
// geometry. Properties say what each feature is ("kind").

type geoCollection struct {
	Type     string       `json:"type"`
	Name     string       `json:"name"`
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   *geoPoint      `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // lon, lat
}

func writeGeoJSON(w io.Writer, c *conference.Conference) error {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	points := map[string]*geoPoint{}
	out := geoCollection{Type: "FeatureCollection", Name: c.Name, Features: []geoFeature{}}
	for _, v := range c.Venues {
		var pt *geoPoint
		if v.Lat != 0 || v.Lon != 0 {
			pt = &geoPoint{Type: "Point", Coordinates: [2]float64{v.Lon, v.Lat}}
		}
		points[v.ID] = pt
		props := map[string]any{"kind": "venue", "id": v.ID, "name": v.Name}
		if v.Address != "" {
			props["address"] = v.Address
		}
		out.Features = append(out.Features, geoFeature{Type: "Feature", ID: "venue:" + v.ID, Geometry: pt, Properties: props})
	}
	venueOf := map[string]string{}
	for _, r := range c.Rooms {
		venueOf[r.ID] = r.VenueID
		out.Features = append(out.Features, geoFeature{Type: "Feature", ID: "room:" + r.ID, Geometry: points[r.VenueID],
			Properties: map[string]any{"kind": "room", "id": r.ID, "name": r.Name, "level": r.Level, "venueId": r.VenueID, "capacity": r.Capacity}})
	}
	for _, s := range c.Sessions {
		if s.RoomID == "" {
			continue
		}
		props := map[string]any{"kind": "session", "id": s.ID, "title": s.Title, "type": s.Type,
			"roomId": s.RoomID, "venueId": venueOf[s.RoomID]}
		if !s.Start.IsZero() {
			props["start"] = s.Start.In(loc).Format(time.RFC3339)
			props["end"] = s.End.In(loc).Format(time.RFC3339)
		}
		if s.Cancelled {
			props["cancelled"] = true
		}
		out.Features = append(out.Features, geoFeature{Type: "Feature", ID: "session:" + s.ID, Geometry: points[venueOf[s.RoomID]], Properties: props})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
