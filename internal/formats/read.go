package formats

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"venuehop/internal/conference"
	"venuehop/internal/errcode"
)

// Format names accepted by Read and Write.
const (
	FormatAuto    = "auto"
	FormatJSON    = "json"
	FormatCSV     = "csv"
	FormatFrab    = "frab"
	FormatC3voc   = "c3voc"
	FormatGeoJSON = "geojson"
	FormatICal    = "ical"
)

// ReadOptions says how to read a conference file.
type ReadOptions struct {
	// Format is auto (or empty), json, csv, frab or c3voc.
	Format string
	// TimeZone is the IANA zone for a file that names none (CSV, old frab
	// XML, some c3voc JSON). A zone named by the file wins, with a warning.
	TimeZone string
	// Venues maps room names to venues with coordinates (--venues FILE).
	Venues *VenueMap
	// Name is the file name used in messages.
	Name string
	// DST says which instant a local time means when it happens twice
	// (clocks go back) or never (clocks go forward): DSTEarlier or
	// DSTLater; empty makes such a time an error. Times written with a
	// UTC offset are never in doubt.
	DST string
}

// The DST choices.
const (
	DSTEarlier = "earlier"
	DSTLater   = "later"
)

// CanonicalZone returns the IANA name a conference keeps for zone: a
// tzdata alias (US/Eastern, Etc/UCT, GB, EST5EDT) becomes its canonical
// name, every UTC or GMT name becomes UTC, and a name that is not an IANA
// zone ("Local", a typo) is an error.
func CanonicalZone(zone string) (string, error) {
	zone = strings.TrimSpace(zone)
	if canon, ok := zoneAliases[zone]; ok {
		zone = canon
	}
	if _, err := conference.LoadZone(zone); err != nil {
		return "", err
	}
	return zone, nil
}

// checkDST validates a DST option.
func checkDST(dst string) error {
	switch dst {
	case "", DSTEarlier, DSTLater:
		return nil
	}
	return errcode.New(errcode.Invalid, "dst: expected earlier or later, got %q", dst)
}

// maxProblems is how many problems one import reports at most.
const maxProblems = 100

// Read reads a conference file in any supported format. It is atomic: it
// returns either a conference that passes conference.Validate (room overlaps
// are warnings) with its warnings, or an *ImportError listing every problem
// (up to 100) located by file:line:column (CSV, XML) or JSON path. Other
// errors are errcode errors (too large, unreadable, unknown format).
func Read(r io.Reader, opt ReadOptions) (*conference.Conference, []conference.Problem, error) {
	return read(r, opt, nil)
}

// read is Read, filling carried (when not nil) with what the file had
// room for.
func read(r io.Reader, opt ReadOptions, carried *Carried) (*conference.Conference, []conference.Problem, error) {
	if carried == nil {
		carried = &Carried{}
	}
	name := opt.Name
	if name == "" {
		name = "input"
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, nil, errcode.Wrap(errcode.Invalid, err, "cannot read %s", name)
	}
	if len(data) > MaxFileBytes {
		return nil, nil, errcode.New(errcode.TooLarge, "%s is larger than the limit of %d MB", name, MaxFileBytes>>20)
	}
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" || format == FormatAuto {
		format = DetectFormat(data)
		if format == "" {
			return nil, nil, errcode.New(errcode.Invalid,
				"cannot tell the format of %s: %s; expected native JSON, CSV with a header row naming a title column, frab XML, c3voc JSON or iCalendar; give the format explicitly", name, describeShape(data))
		}
	}
	if opt.TimeZone != "" {
		if _, err := CanonicalZone(opt.TimeZone); err != nil {
			return nil, nil, errcode.New(errcode.Invalid, "time zone: %v", err)
		}
	}
	if err := checkDST(opt.DST); err != nil {
		return nil, nil, err
	}
	switch format {
	case FormatJSON:
		*carried = everything()
		return readNative(data, name, opt.DST)
	case FormatCSV, FormatFrab, FormatC3voc, FormatICal:
	default:
		return nil, nil, errcode.New(errcode.Invalid, "unknown import format %q: expected auto, json, csv, frab, c3voc or ical", opt.Format)
	}
	text, note, probs := decodeText(data, name, format == FormatFrab)
	if len(probs) > 0 {
		return nil, nil, &ImportError{File: name, Problems: probs}
	}
	b := newBuilder(name, opt)
	if note != "" {
		b.warnAt("", "%s", note)
	}
	switch format {
	case FormatCSV:
		readCSV(b, text)
	case FormatFrab, FormatC3voc:
		b.carried = scheduleCarried()
		if format == FormatFrab {
			readFrab(b, text)
		} else {
			readC3voc(b, text)
		}
	case FormatICal:
		readICal(b, text)
	}
	*carried = b.carried
	return b.finish()
}

// DetectFormat guesses the format from the first bytes of a file: json,
// c3voc, frab, csv, or "" when it cannot tell.
func DetectFormat(head []byte) string {
	head = head[:min(len(head), 64<<10)]
	if t, _, probs := decodeText(head, "", true); len(probs) == 0 {
		head = t
	} else {
		head = bytes.TrimPrefix(head, utf8BOM)
	}
	trimmed := bytes.TrimLeftFunc(head, unicode.IsSpace)
	switch {
	case len(trimmed) == 0:
		return ""
	case bytes.HasPrefix(bytes.ToUpper(trimmed[:min(len(trimmed), 15)]), []byte("BEGIN:VCALENDAR")):
		return FormatICal
	case trimmed[0] == '<':
		if bytes.Contains(trimmed, []byte("<schedule")) {
			return FormatFrab
		}
		return ""
	case trimmed[0] == '{':
		if bytes.Contains(trimmed, []byte(`"venuehop/`)) {
			return FormatJSON
		}
		if bytes.Contains(trimmed, []byte(`"schedule"`)) {
			return FormatC3voc
		}
		return FormatJSON
	}
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	if bytes.Count(line, []byte(",")) >= 1 && bytes.Contains(bytes.ToLower(line), []byte("title")) {
		return FormatCSV
	}
	return ""
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeText returns the data as UTF-8: a UTF-8 byte order mark is
// dropped, UTF-16 (with a BOM) and, for XML, a declared ISO-8859-1 or
// windows-1252 are converted (note says so). Invalid UTF-8 is never
// guessed at: each bad line is reported.
func decodeText(data []byte, name string, xmlDecl bool) (text []byte, note string, probs []conference.Problem) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		big := data[0] == 0xFE
		body := data[2:]
		if len(body)%2 != 0 {
			return nil, "", []conference.Problem{{Path: name, Message: "the file starts with a UTF-16 byte order mark but has an odd number of bytes: it is truncated or not UTF-16"}}
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			if big {
				units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			} else {
				units[i] = uint16(body[2*i+1])<<8 | uint16(body[2*i])
			}
		}
		runes := utf16.Decode(units)
		var buf bytes.Buffer
		buf.Grow(len(runes))
		line := 1
		for _, r := range runes {
			if r == utf8.RuneError {
				probs = appendProblem(probs, conference.Problem{Path: fmt.Sprintf("%s:%d", name, line),
					Message: "invalid UTF-16 (an unpaired surrogate): the file is damaged; save it again as UTF-8"})
			}
			if r == '\n' {
				line++
			}
			buf.WriteRune(r)
		}
		enc := "UTF-16LE"
		if big {
			enc = "UTF-16BE"
		}
		return buf.Bytes(), "the file was converted from " + enc + " to UTF-8", probs
	}
	if xmlDecl {
		if enc := xmlEncoding(data); enc != "" && enc != "utf-8" && enc != "us-ascii" && enc != "ascii" {
			conv, ok := singleByteToUTF8(data, enc)
			if !ok {
				return nil, "", []conference.Problem{{Path: name + ":1", Message: fmt.Sprintf(
					"encoding %q is not supported: expected UTF-8, UTF-16, ISO-8859-1 or windows-1252", enc)}}
			}
			return conv, "the file was converted from " + enc + " to UTF-8", nil
		}
	}
	if utf8.Valid(data) {
		return data, "", nil
	}
	line, col := 1, 1
	lastLine := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 && line != lastLine {
			lastLine = line
			probs = appendProblem(probs, conference.Problem{Path: fmt.Sprintf("%s:%d:%d", name, line, col),
				Message: fmt.Sprintf("invalid UTF-8 (byte 0x%02X): the file is in another encoding; save it as UTF-8", data[i])})
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	return nil, "", probs
}

var xmlEncodingRE = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']`)

func xmlEncoding(data []byte) string {
	m := xmlEncodingRE.FindSubmatch(data[:min(len(data), 200)])
	if m == nil {
		return ""
	}
	return strings.ToLower(string(m[1]))
}

// cp1252 maps windows-1252 bytes 0x80–0x9F (0: undefined).
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func singleByteToUTF8(data []byte, enc string) ([]byte, bool) {
	win := false
	switch enc {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
	case "windows-1252", "cp1252":
		win = true
	default:
		return nil, false
	}
	var buf bytes.Buffer
	buf.Grow(len(data) + len(data)/8)
	for _, c := range data {
		r := rune(c)
		if win && c >= 0x80 && c < 0xA0 && cp1252[c-0x80] != 0 {
			r = cp1252[c-0x80]
		}
		buf.WriteRune(r)
	}
	return buf.Bytes(), true
}

func appendProblem(probs []conference.Problem, p conference.Problem) []conference.Problem {
	if len(probs) < maxProblems {
		probs = append(probs, p)
	}
	return probs
}

// builder collects the conference a reader builds, its problems, and where
// each session and room came from, so that problems found later by
// conference.Validate point back into the file.
type builder struct {
	name     string
	opt      ReadOptions
	conf     *conference.Conference
	carried  Carried
	loc      *time.Location
	errs     []conference.Problem
	warnings []conference.Problem
	// sessionAt is the file position of each session (by index).
	sessionAt []string
	roomAt    []string
	// rooms and venues by key (the name as written in the file).
	roomByKey  map[string]int
	roomFolded map[string]int // lower-cased key -> first room (CSV)
	roomIDs    map[string]bool
	venueByID  map[string]int
	unlocated  map[string]bool
	sessionIDs map[string]int
}

func newBuilder(name string, opt ReadOptions) *builder {
	return &builder{
		name:       name,
		opt:        opt,
		conf:       &conference.Conference{Format: conference.FormatVersion},
		roomByKey:  map[string]int{},
		roomFolded: map[string]int{},
		roomIDs:    map[string]bool{},
		venueByID:  map[string]int{},
		unlocated:  map[string]bool{},
		sessionIDs: map[string]int{},
	}
}

// errAt records an error at a position ("file:line:col" or a JSON path).
func (b *builder) errAt(at, format string, args ...any) {
	b.errs = appendProblem(b.errs, conference.Problem{Path: at, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) warnAt(at, format string, args ...any) {
	b.warnings = appendProblem(b.warnings, conference.Problem{Path: at, Message: fmt.Sprintf(format, args...), Warning: true})
}

func (b *builder) tooMany() bool { return len(b.errs) >= maxProblems }

// pos formats a file position.
func (b *builder) pos(line, col int) string {
	if col > 0 {
		return fmt.Sprintf("%s:%d:%d", b.name, line, col)
	}
	return fmt.Sprintf("%s:%d", b.name, line)
}

// setZone settles the conference zone: the file's own, else the option,
// else an error at the given position.
func (b *builder) setZone(fileZone, at string) {
	fileZone = strings.TrimSpace(fileZone)
	given, _ := CanonicalZone(b.opt.TimeZone) // Read checked it
	zone := fileZone
	if zone != "" {
		canon, err := CanonicalZone(zone)
		switch {
		case err != nil:
			b.errAt(at, "time_zone_name: expected an IANA time zone such as Europe/Brussels, got %q", zone)
			zone = ""
		case given != "" && given != canon:
			b.warnAt(at, "the file names the time zone %s; the given time zone %s is ignored", zone, b.opt.TimeZone)
		}
		if err == nil && canon != zone {
			b.warnAt(at, "the time zone %s is an alias of %s: the conference keeps the canonical name", zone, canon)
			zone = canon
		}
	}
	if zone == "" && fileZone == "" {
		zone = given
		if zone == "" {
			b.errAt(at, "the file names no time zone and none was given: give the conference time zone (--timezone, e.g. %s)", exampleZone(b.conf.Name))
		} else if zone != strings.TrimSpace(b.opt.TimeZone) {
			b.warnAt(at, "the time zone %s is an alias of %s: the conference keeps the canonical name", b.opt.TimeZone, zone)
		}
	}
	if zone != "" {
		b.conf.TimeZone = zone
		b.loc, _ = conference.LoadZone(zone)
	}
}

func exampleZone(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "fosdem"):
		return "Europe/Brussels"
	case strings.Contains(n, "c3") || strings.Contains(n, "chaos") || strings.Contains(n, "camp"):
		return "Europe/Berlin"
	}
	return "America/Los_Angeles"
}

// venueFor returns the id of the venue for a room, adding it when new. The
// venue map wins, then the rule's venue (with coordinates from the map by
// id or name, or the built-in table of known venues).
func (b *builder) venueFor(roomName string, rule ruleVenue) string {
	v, ok := b.opt.Venues.lookup(roomName, rule.ID, rule.Name)
	if !ok {
		v = conference.Venue{ID: rule.ID, Name: rule.Name, Address: rule.Address, Lat: rule.Lat, Lon: rule.Lon}
		if !rule.Online && v.Lat == 0 && v.Lon == 0 {
			if k, found := knownVenue(rule.Name); found && (rule.ID == "" || rule.ID == slug(rule.Name) || rule.ID == k.ID) {
				v = k
			}
		}
	}
	if v.ID == "" {
		v.ID = slug(v.Name)
	}
	if v.Name == "" {
		v.Name = v.ID
	}
	if _, dup := b.venueByID[v.ID]; !dup {
		b.venueByID[v.ID] = len(b.conf.Venues)
		b.conf.Venues = append(b.conf.Venues, v)
		if v.Lat == 0 && v.Lon == 0 && !rule.Online {
			b.unlocated[v.ID] = true
		}
	}
	return v.ID
}

// roomFor returns the id of a room, adding it (and its venue) when new.
// key identifies the room in the file; id, when given, is its stable id.
func (b *builder) roomFor(key, id string, r conference.Room, rule ruleVenue, at string) string {
	if i, ok := b.roomByKey[key]; ok {
		return b.conf.Rooms[i].ID
	}
	r.VenueID = b.venueFor(r.Name, rule) // the venue map matches room names, not keys
	if id == "" {
		id = slug(r.VenueID + "-" + r.Level + "-" + r.Name)
	}
	r.ID = b.uniqueRoomID(id)
	b.roomByKey[key] = len(b.conf.Rooms)
	b.conf.Rooms = append(b.conf.Rooms, r)
	b.roomAt = append(b.roomAt, at)
	return r.ID
}

func (b *builder) uniqueRoomID(id string) string {
	out := id
	for n := 2; b.roomIDs[out]; n++ {
		out = fmt.Sprintf("%s-%d", id, n)
	}
	b.roomIDs[out] = true
	return out
}

// addSession appends a session; a repeated id is an error (the caller
// merges exact duplicates before).
func (b *builder) addSession(s conference.Session, at string) {
	if first, dup := b.sessionIDs[s.ID]; dup {
		b.errAt(at, "id: conflicting duplicate id %q (first at %s): expected every session to have its own id", s.ID, b.sessionAt[first])
		return
	}
	b.sessionIDs[s.ID] = len(b.conf.Sessions)
	b.conf.Sessions = append(b.conf.Sessions, s)
	b.sessionAt = append(b.sessionAt, at)
}

var (
	sessionPathRE = regexp.MustCompile(`^(sessions|rooms)\[(\d+)\]\.?(.*)$`)
	overlapRefRE  = regexp.MustCompile(`sessions\[\d+\] \(([^)]*)\)`)
)

// finish derives the days, validates, and maps every problem back to the
// file.
func (b *builder) finish() (*conference.Conference, []conference.Problem, error) {
	c := b.conf
	// The domain rules run on what was read even when some rows failed, so
	// one round shows every problem; with errors already found, only
	// problems of particular sessions and rooms are added (a conference-wide
	// one such as "no days" may just follow from the dropped rows).
	readErrors := len(b.errs) > 0
	if !b.tooMany() {
		if len(c.Days) == 0 {
			c.Days = daysOf(c, b.loc)
		}
		if !readErrors {
			for _, id := range sortedSet(b.unlocated) {
				b.warnAt("", "venue %q has no coordinates: travel to and from it uses a rough estimate; give a venue map (--venues FILE, see docs/formats.md) to place it", id)
			}
		}
		for _, p := range conference.Validate(c, conference.ValidateOptions{RoomOverlapIsWarning: true}) {
			if readErrors && !sessionPathRE.MatchString(p.Path) {
				continue
			}
			p = b.locate(p)
			if p.Warning {
				b.warnings = appendProblem(b.warnings, p)
			} else {
				b.errs = appendProblem(b.errs, p)
			}
		}
	}
	if len(b.errs) > 0 {
		sortProblems(b.errs)
		return nil, nil, &ImportError{File: b.name, Problems: b.errs}
	}
	sortProblems(b.warnings)
	return c, b.warnings, nil
}

var positionRE = regexp.MustCompile(`:(\d+)(?::(\d+))?$`)

// sortProblems orders problems located by line (and column) in file order;
// the others keep their place before them.
func sortProblems(probs []conference.Problem) {
	key := func(p conference.Problem) (int, int) {
		m := positionRE.FindStringSubmatch(p.Path)
		if m == nil {
			return 0, 0
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		return line, col
	}
	sort.SliceStable(probs, func(i, j int) bool {
		li, ci := key(probs[i])
		lj, cj := key(probs[j])
		return li < lj || li == lj && ci < cj
	})
}

// locate rewrites a Validate problem ("sessions[3].end") to the file
// position of that session, keeping the field in the message.
func (b *builder) locate(p conference.Problem) conference.Problem {
	m := sessionPathRE.FindStringSubmatch(p.Path)
	if m == nil {
		return p
	}
	i, _ := strconv.Atoi(m[2])
	var at []string
	if m[1] == "sessions" {
		at = b.sessionAt
	} else {
		at = b.roomAt
	}
	if i >= len(at) || at[i] == "" {
		return p
	}
	field := m[3]
	if field == "" {
		field = m[1][:len(m[1])-1]
	}
	msg := p.Message
	// Overlap messages name other sessions by index; name them by id.
	if m[1] == "sessions" && strings.Contains(msg, "already holds sessions[") {
		msg = overlapRefRE.ReplaceAllString(msg, "session $1")
	}
	return conference.Problem{Path: at[i], Message: field + ": " + msg, Warning: p.Warning}
}

// daysOf lists the civil dates (in loc) on which scheduled sessions start.
func daysOf(c *conference.Conference, loc *time.Location) []string {
	if loc == nil {
		return nil
	}
	set := map[string]bool{}
	for _, s := range c.Sessions {
		if !s.Start.IsZero() {
			set[s.Start.In(loc).Format(time.DateOnly)] = true
		}
	}
	return sortedSet(set)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// slug turns a name into an id: lower-case letters, digits and single
// hyphens, at most 64 characters.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f := fold(r); f != "" {
				b.WriteString(f)
				dash = false
			}
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 64 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 64 {
		out = strings.Trim(out[:64], "-")
	}
	if out == "" {
		out = "x" + hashID(s)[:8]
	}
	return out
}

// fold maps common accented letters to ASCII for ids.
func fold(r rune) string {
	const from = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
	const to = "aaaaaaceeeeiiiinoooooouuuuyy"
	if i := strings.IndexRune(from, r); i >= 0 {
		return string(to[utf8.RuneCountInString(from[:i])])
	}
	switch r {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	}
	return ""
}

// hashID is a stable hex digest of the parts.
func hashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normalize folds case and white space for content hashing.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// conferenceIDFromName derives an id from a file name.
func conferenceIDFromName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	return slug(base)
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$`)
