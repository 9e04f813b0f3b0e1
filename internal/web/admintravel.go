package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
	"venuehop/internal/httpx"
	"venuehop/internal/importer"
	"venuehop/internal/venuepack"
)

// The organizer's Travel page: the conference's travel model, a venue pack
// to apply (checked first, then applied at the revision checked), a
// shuttle timetable (the same), and the walk corrections.

// travelPageNames are its templates.
var travelPageNames = []string{"admin-travel"}

// maxTimetableForm bounds a timetable on this page: the checked file goes
// back with the Apply form as a plain field, within the form limit. The
// command line and the API take up to venuepack.MaxTimetableBytes.
const maxTimetableForm = httpx.MaxFormBytes - 4<<10

func (s *Server) registerTravelAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/travel", s.handleTravelAdmin)
	mux.HandleFunc("POST /admin/travel/pack", s.handlePackCheck)
	mux.HandleFunc("POST /admin/travel/pack/apply", s.handlePackApply)
	mux.HandleFunc("POST /admin/travel/timetable"+httpx.UploadSuffix, s.handleTimetableCheck)
	mux.HandleFunc("POST /admin/travel/timetable/apply", s.handleTimetableApply)
	mux.HandleFunc("POST /admin/travel/walks", s.handleWalkSet)
	mux.HandleFunc("POST /admin/travel/walks/remove", s.handleWalkRemove)
}

type travelAdminView struct {
	CSRF     string
	Rev      int64
	Model    string
	Lines    int
	Packs    []packOption
	Proposal *venuepack.Proposal
	Venues   []conference.Venue
	Walks    []walkView
	// Report is a dry run or an applied change; Apply, when set, is the
	// form that applies the checked change.
	Report  *reportView
	Apply   *applyForm
	Error   string
	Message string
}

type packOption struct {
	ID, Name string
	Selected bool
}

type walkView struct {
	FromID, ToID, From, To string
	Minutes                int
}

type reportView struct {
	Title    string
	Pack     *importer.PackSummary
	Lines    []lineHoursView
	Pairs    []pairView
	Warnings []string
	SampleAt string
}

type lineHoursView struct {
	Name  string
	Hours string
}

type pairView struct {
	From, To      string
	Before, After string
}

type applyForm struct {
	Action    string
	Pack      string
	Timetable string
	Name      string
	BaseRev   int64
	Button    string
}

func (s *Server) travelView(r *http.Request) travelAdminView {
	v := travelAdminView{CSRF: httpx.CSRFToken(r)}
	st := s.live.Load()
	if st == nil {
		return v
	}
	c := st.Snap.Conf
	v.Rev, v.Venues = st.Snap.Rev, c.Venues
	t := c.Travel
	switch {
	case t.Empty():
		v.Model = "No travel model: trips are estimated from the venues' coordinates (a straight line × 1.4 and 2 minutes to a room)."
	case t.Pack != nil:
		v.Model = fmt.Sprintf("Built from the venue pack %s (%s).", t.Pack.Name, t.Pack.ID)
	default:
		v.Model = "The conference's own travel model (from its file)."
	}
	if t != nil {
		v.Lines = len(t.Shuttles) + len(t.Monorail)
		for _, w := range t.WalkCorrections {
			v.Walks = append(v.Walks, walkView{FromID: w.FromID, ToID: w.ToID, From: venueName(c, w.FromID), To: venueName(c, w.ToID), Minutes: w.Minutes})
		}
	}
	packs, err := venuepack.Shipped()
	if err != nil {
		s.log.Error("web: shipped packs", "err", err)
	}
	if t.Empty() || t.Pack == nil {
		if pr, ok := venuepack.Propose(c, packs); ok {
			v.Proposal = &pr
		}
	}
	for _, p := range packs {
		selected := v.Proposal != nil && v.Proposal.ID == p.ID || t != nil && t.Pack != nil && t.Pack.ID == p.ID
		v.Packs = append(v.Packs, packOption{ID: p.ID, Name: p.Name, Selected: selected})
	}
	return v
}

func venueName(c *conference.Conference, id string) string {
	for _, v := range c.Venues {
		if v.ID == id {
			return v.Name
		}
	}
	return id
}

func (s *Server) renderTravel(w http.ResponseWriter, r *http.Request, status int, v travelAdminView) {
	name := ""
	if st := s.live.Load(); st != nil {
		name = st.Snap.Conf.Name
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "admin-travel", "layout", layoutView{Title: "Travel", ConferenceName: name, Nav: "admin", Main: v})
}

func (s *Server) handleTravelAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/travel"); !ok {
		return
	}
	s.renderTravel(w, r, http.StatusOK, s.travelView(r))
}

// travelResult puts a change's report (or its error) on the page.
func (s *Server) travelResult(w http.ResponseWriter, r *http.Request, v travelAdminView, title string, rep *importer.TravelReport, err error, apply *applyForm) {
	if err != nil {
		status := httpx.Status(err)
		var ce *errcode.Error
		var pe *venuepack.Error
		switch {
		case errors.As(err, &pe):
			var msgs []string
			for _, p := range pe.Problems {
				msgs = append(msgs, p.String())
			}
			v.Error = "The file has problems; nothing was changed: " + strings.Join(msgs, "; ")
		case errors.As(err, &ce) && ce.Code != errcode.Internal:
			v.Error = strings.ToUpper(ce.Message[:1]) + ce.Message[1:] + "."
		default:
			s.log.Error("web: travel change", "err", err)
			v.Error = "Something went wrong on our side; nothing was changed. Please try again."
		}
		s.renderTravel(w, r, status, v)
		return
	}
	st := s.live.Load()
	rv := &reportView{Title: title, Pack: rep.Pack, Warnings: rep.Warnings}
	if !rep.SampleAt.IsZero() {
		rv.SampleAt = st.Snap.Local(rep.SampleAt).Format("Mon 2 Jan 15:04")
	}
	if tt := rep.Timetable; tt != nil {
		for _, l := range tt.Lines {
			var hours []string
			for _, h := range l.Service {
				hours = append(hours, fmt.Sprintf("%s %s–%s", h.Day, h.Start, h.End))
			}
			if len(hours) == 0 {
				hours = []string{"no service"}
			}
			rv.Lines = append(rv.Lines, lineHoursView{Name: l.Name, Hours: strings.Join(hours, ", ")})
		}
	}
	for _, p := range rep.Pairs {
		rv.Pairs = append(rv.Pairs, pairView{From: venueName(st.Snap.Conf, p.From), To: venueName(st.Snap.Conf, p.To),
			Before: tripWords(p.Before), After: tripWords(p.After)})
	}
	v.Report = rv
	if rep.Applied {
		v.Message = fmt.Sprintf("Applied: the conference is now at revision %d.", rep.Rev)
		v.Rev = rep.Rev
	} else if apply != nil {
		apply.BaseRev = rep.BaseRev
		v.Apply = apply
	}
	s.renderTravel(w, r, http.StatusOK, v)
}

func tripWords(t importer.TripTime) string {
	s := fmt.Sprintf("%d min %s", t.Minutes, t.Mode)
	if t.Estimate {
		s += " (estimate)"
	}
	return s
}

func (s *Server) formPack(r *http.Request) (*venuepack.Pack, error) {
	id := strings.TrimSpace(r.PostFormValue("pack"))
	if id == "" {
		return nil, errcode.New(errcode.Invalid, "choose a venue pack")
	}
	return venuepack.Get(id)
}

func formBaseRev(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PostFormValue("baseRev"), 10, 64)
	if err != nil || n < 1 {
		return 0, errcode.New(errcode.Invalid, "the checked revision is missing; check again")
	}
	return n, nil
}

func (s *Server) handlePackCheck(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/travel"); !ok {
		return
	}
	v := s.travelView(r)
	p, err := s.formPack(r)
	var rep *importer.TravelReport
	if err == nil {
		rep, err = s.travelImporter().ApplyPack(r.Context(), p, true, 0)
	}
	title := "Dry run of the venue pack: nothing has been changed yet"
	s.travelResult(w, r, v, title, rep, err, &applyForm{Action: "/admin/travel/pack/apply", Pack: r.PostFormValue("pack"), Button: "Apply this pack"})
}

func (s *Server) handlePackApply(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/travel")
	if !ok {
		return
	}
	v := s.travelView(r)
	p, err := s.formPack(r)
	var rep *importer.TravelReport
	if err == nil {
		var base int64
		if base, err = formBaseRev(r); err == nil {
			rep, err = s.travelImporter().ApplyPack(r.Context(), p, false, base)
		}
	}
	if err == nil {
		s.log.Info("organizer: venue pack applied", "by", u.ID, "pack", p.ID, "rev", rep.Rev)
		v = s.travelView(r)
	}
	s.travelResult(w, r, v, "Venue pack applied", rep, err, nil)
}

func (s *Server) handleTimetableCheck(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.organizer(w, r, "/admin/travel"); !ok {
		return
	}
	v := s.travelView(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxTimetableForm+8<<10)
	var data []byte
	name := "timetable.csv"
	err := func() error {
		mr, err := r.MultipartReader()
		if err != nil {
			return errcode.New(errcode.Invalid, "send the form with a file")
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return errcode.New(errcode.TooLarge, "the timetable is larger than %s on this page; the command line (venuehop timetable) and the API take up to %s",
					importer.FormatBytes(maxTimetableForm), importer.FormatBytes(venuepack.MaxTimetableBytes))
			}
			if p.FormName() == "file" {
				if data, err = io.ReadAll(io.LimitReader(p, maxTimetableForm+1)); err != nil {
					return errcode.New(errcode.Invalid, "the upload was cut short; try again")
				}
				if fn := p.FileName(); fn != "" {
					name = fn
				}
			}
		}
		if len(data) > maxTimetableForm {
			return errcode.New(errcode.TooLarge, "the timetable is larger than %s on this page; the command line (venuehop timetable) and the API take up to %s",
				importer.FormatBytes(maxTimetableForm), importer.FormatBytes(venuepack.MaxTimetableBytes))
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return errcode.New(errcode.Invalid, "choose a timetable file")
		}
		return nil
	}()
	var rep *importer.TravelReport
	if err == nil {
		rep, err = s.checkTimetable(r, data, name, true, 0)
	}
	s.travelResult(w, r, v, "Dry run of "+name+": nothing has been changed yet", rep, err,
		&applyForm{Action: "/admin/travel/timetable/apply", Timetable: string(data), Name: name, Button: "Apply this timetable"})
}

func (s *Server) checkTimetable(r *http.Request, data []byte, name string, dryRun bool, base int64) (*importer.TravelReport, error) {
	tt, err := venuepack.ReadTimetable(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	return s.travelImporter().ApplyTimetable(r.Context(), tt, dryRun, base)
}

func (s *Server) handleTimetableApply(w http.ResponseWriter, r *http.Request) {
	u, ok := s.organizer(w, r, "/admin/travel")
	if !ok {
		return
	}
	v := s.travelView(r)
	name := r.PostFormValue("name")
	base, err := formBaseRev(r)
	var rep *importer.TravelReport
	if err == nil {
		rep, err = s.checkTimetable(r, []byte(r.PostFormValue("timetable")), name, false, base)
	}
	if err == nil {
		s.log.Info("organizer: timetable applied", "by", u.ID, "file", name, "rev", rep.Rev)
		v = s.travelView(r)
	}
	s.travelResult(w, r, v, "Timetable applied", rep, err, nil)
}

func (s *Server) handleWalkSet(w http.ResponseWriter, r *http.Request) {
	s.walkChange(w, r, func() (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes")))
		if err != nil || n < 1 || n > 600 {
			e := errcode.New(errcode.Invalid, "minutes: expected a whole number from 1 to 600")
			e.Unprocessable = true
			return 0, e
		}
		return n, nil
	})
}

func (s *Server) handleWalkRemove(w http.ResponseWriter, r *http.Request) {
	s.walkChange(w, r, func() (int, error) { return 0, nil })
}

func (s *Server) walkChange(w http.ResponseWriter, r *http.Request, minutes func() (int, error)) {
	u, ok := s.organizer(w, r, "/admin/travel")
	if !ok {
		return
	}
	v := s.travelView(r)
	n, err := minutes()
	var rep *importer.TravelReport
	if err == nil {
		rep, err = s.travelImporter().CorrectWalk(r.Context(), r.PostFormValue("from"), r.PostFormValue("to"), n)
	}
	if err == nil {
		s.log.Info("organizer: walk corrected", "by", u.ID, "from", rep.Correction.FromID, "to", rep.Correction.ToID, "minutes", n)
		v = s.travelView(r)
	}
	s.travelResult(w, r, v, "Walk correction", rep, err, nil)
}

// withProposedPack sets the import's pack from the Apply form's box: the
// id of a shipped pack ("" for none).
func withProposedPack(opt *importer.Options, id string) error {
	if id = strings.TrimSpace(id); id == "" {
		return nil
	}
	p, err := venuepack.Get(id)
	if err != nil {
		//lint:ignore ST1005 the page shows this sentence as it is
		return errors.New("That venue pack is not one venuehop ships. Nothing was changed; check the file again.")
	}
	opt.Travel.Pack = p
	return nil
}

// travelImporter is the importer, which the Travel page needs.
func (s *Server) travelImporter() *importer.Importer { return s.importer }
