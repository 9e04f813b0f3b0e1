// Package config builds the Config from flags and VENUEHOP_* environment
// variables (a flag given on the command line wins over the environment).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the app needs to start.
type Config struct {
	Addr    string // listen address; ":0" picks a free port (tests)
	DataDir string // embedded SQLite lives here
	DB      string // a postgres:// URL selects PostgreSQL (not yet supported)
	Demo    bool   // load the demo conference into an empty store
	// DemoSeed and DemoStart shape the demo conference (zero Start = the
	// Monday after today).
	DemoSeed  int64
	DemoStart time.Time
	// Now pins the clock (zero = the real clock). It never moves stored dates.
	Now time.Time
	// ReservationsOpen is the instant reservations open (zero = already open).
	ReservationsOpen time.Time
	Commit           string // group | per-request
	LogLevel         string
	// Tiles is the map's tile URL template ({z}/{x}/{y}, optional {s});
	// empty draws the map on a plain background (offline).
	Tiles string

	// Streams bounds the live event streams (Server-Sent Events): in
	// total (0 = sized from the open-file limit), per signed-in attendee,
	// per client address for anonymous ones, and how long an anonymous
	// stream may stay open.
	Streams StreamLimits
	// AnonymousRate bounds costly reads (feeds, exports, search) by
	// visitors who are not signed in: requests per second per client
	// address, with a burst; 0 turns the bound off.
	AnonymousRate  float64
	AnonymousBurst int
	// MetricsAddr serves /metrics on its own listener (and not on Addr);
	// empty keeps it on Addr, behind an admin token or MetricsToken.
	MetricsAddr  string
	MetricsToken string
	// PushContact is the Web Push VAPID contact ("sub"): a mailto: address
	// or an https: URL the push services may write to about this server.
	PushContact string

	// envErrs are environment values that could not be read; Validate
	// reports the first.
	envErrs []error
}

// StreamLimits are the caps on live event streams.
type StreamLimits struct {
	Max             int // in total; 0 = sized from the open-file limit
	PerAttendee     int
	PerAddress      int           // anonymous streams per client address
	AnonymousMaxAge time.Duration // an anonymous stream ends after this
}

// DefaultTiles are OpenStreetMap's standard tiles.
const DefaultTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{Addr: ":8080", DataDir: "./venuehop-data", Demo: true, DemoSeed: 1, Commit: "group", LogLevel: "info", Tiles: DefaultTiles,
		Streams:       StreamLimits{PerAttendee: 4, PerAddress: 8, AnonymousMaxAge: 10 * time.Minute},
		AnonymousRate: 3, AnonymousBurst: 20}
}

// StoreFlags registers the flags that select a store (--data, --db).
func (c *Config) StoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", env("VENUEHOP_DATA", c.DataDir), "directory of the embedded SQLite database (env VENUEHOP_DATA)")
	fs.StringVar(&c.DB, "db", env("VENUEHOP_DB", c.DB), "a postgres:// URL selects PostgreSQL instead of SQLite (env VENUEHOP_DB)")
}

// ServeFlags registers the flags of `venuehop serve`.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.StoreFlags(fs)
	fs.StringVar(&c.Addr, "addr", env("VENUEHOP_ADDR", c.Addr), "listen address (env VENUEHOP_ADDR)")
	fs.BoolVar(&c.Demo, "demo", c.envBool("VENUEHOP_DEMO", c.Demo), "load the demo conference into an empty store (env VENUEHOP_DEMO)")
	fs.Func("now", "pin the clock to this RFC 3339 instant, for demonstrations and tests (env VENUEHOP_NOW)", timeFlag(&c.Now))
	fs.Func("reservations-open", "the RFC 3339 instant reservations open (env VENUEHOP_RESERVATIONS_OPEN)", timeFlag(&c.ReservationsOpen))
	fs.StringVar(&c.Commit, "commit", env("VENUEHOP_COMMIT", c.Commit), "group (share commits) or per-request (env VENUEHOP_COMMIT)")
	fs.StringVar(&c.Tiles, "tiles", env("VENUEHOP_TILES", c.Tiles), `map tile URL template with {z}, {x} and {y}; "" for no tiles (env VENUEHOP_TILES)`)
	fs.StringVar(&c.LogLevel, "log-level", env("VENUEHOP_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (env VENUEHOP_LOG_LEVEL)")
	fs.IntVar(&c.Streams.Max, "max-streams", c.envInt("VENUEHOP_MAX_STREAMS", c.Streams.Max), "most live event streams at once; 0 sizes it from the open-file limit (env VENUEHOP_MAX_STREAMS)")
	fs.IntVar(&c.Streams.PerAttendee, "streams-per-attendee", c.envInt("VENUEHOP_STREAMS_PER_ATTENDEE", c.Streams.PerAttendee), "most live event streams of one signed-in attendee (env VENUEHOP_STREAMS_PER_ATTENDEE)")
	fs.IntVar(&c.Streams.PerAddress, "streams-per-address", c.envInt("VENUEHOP_STREAMS_PER_ADDRESS", c.Streams.PerAddress), "most anonymous live event streams from one client address (env VENUEHOP_STREAMS_PER_ADDRESS)")
	fs.DurationVar(&c.Streams.AnonymousMaxAge, "anonymous-stream-timeout", c.envDuration("VENUEHOP_ANONYMOUS_STREAM_TIMEOUT", c.Streams.AnonymousMaxAge), "an anonymous live event stream ends after this; browsers reconnect (env VENUEHOP_ANONYMOUS_STREAM_TIMEOUT)")
	fs.Float64Var(&c.AnonymousRate, "anonymous-rate", c.envFloat("VENUEHOP_ANONYMOUS_RATE", c.AnonymousRate), "costly reads (feeds, exports, search) per second per client address for visitors not signed in; 0 for no bound (env VENUEHOP_ANONYMOUS_RATE)")
	fs.IntVar(&c.AnonymousBurst, "anonymous-burst", c.envInt("VENUEHOP_ANONYMOUS_BURST", c.AnonymousBurst), "costly anonymous reads allowed at once before --anonymous-rate applies (env VENUEHOP_ANONYMOUS_BURST)")
	fs.StringVar(&c.PushContact, "push-contact", env("VENUEHOP_PUSH_CONTACT", c.PushContact), "the Web Push contact the push services may write to: mailto:ADDRESS or an https: URL (env VENUEHOP_PUSH_CONTACT)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("VENUEHOP_METRICS_ADDR", c.MetricsAddr), "serve /metrics on this address of its own instead of --addr (env VENUEHOP_METRICS_ADDR)")
	// The token comes from the environment only: a flag would show in ps.
	c.MetricsToken = env("VENUEHOP_METRICS_TOKEN", c.MetricsToken)
	// Environment values for the time flags are applied before parsing so
	// that a flag still wins.
	for name, dst := range map[string]*time.Time{"VENUEHOP_NOW": &c.Now, "VENUEHOP_RESERVATIONS_OPEN": &c.ReservationsOpen} {
		if v := os.Getenv(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				c.envErrs = append(c.envErrs, fmt.Errorf("%s: expected an RFC 3339 instant like 2026-12-01T10:05:00-08:00, got %q", name, v))
				continue
			}
			*dst = t
		}
	}
}

// Validate reports the first setting that cannot work, as one sentence.
func (c *Config) Validate() error {
	if len(c.envErrs) > 0 {
		return c.envErrs[0]
	}
	if c.Addr == "" {
		return errors.New("--addr must not be empty")
	}
	if c.PushContact != "" && !strings.HasPrefix(c.PushContact, "mailto:") && !strings.HasPrefix(c.PushContact, "https://") {
		return fmt.Errorf("--push-contact must be mailto:ADDRESS or an https:// URL, got %q", c.PushContact)
	}
	if c.DB == "" && c.DataDir == "" {
		return errors.New("--data must name a directory")
	}
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db must be a postgres:// URL, got %q", redact(c.DB))
	}
	if c.Commit != "group" && c.Commit != "per-request" {
		return fmt.Errorf("--commit must be group or per-request, got %q", c.Commit)
	}
	if err := validTiles(c.Tiles); err != nil {
		return err
	}
	if err := c.validLimits(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, got %q", c.LogLevel)
	}
	return nil
}

func (c *Config) validLimits() error {
	switch {
	case c.Streams.Max < 0:
		return fmt.Errorf("--max-streams must be 0 (sized from the open-file limit) or more, got %d", c.Streams.Max)
	case c.Streams.PerAttendee < 1:
		return fmt.Errorf("--streams-per-attendee must be at least 1, got %d", c.Streams.PerAttendee)
	case c.Streams.PerAddress < 1:
		return fmt.Errorf("--streams-per-address must be at least 1, got %d", c.Streams.PerAddress)
	case c.Streams.AnonymousMaxAge < time.Second:
		return fmt.Errorf("--anonymous-stream-timeout must be at least 1s, got %s", c.Streams.AnonymousMaxAge)
	case c.AnonymousRate < 0:
		return fmt.Errorf("--anonymous-rate must be 0 (no bound) or more, got %v", c.AnonymousRate)
	case c.AnonymousRate > 0 && c.AnonymousBurst < 1:
		return fmt.Errorf("--anonymous-burst must be at least 1, got %d", c.AnonymousBurst)
	case c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0"):
		return fmt.Errorf("--metrics-addr must differ from --addr (%s)", c.Addr)
	}
	return nil
}

func validTiles(tiles string) error {
	if tiles == "" {
		return nil
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tiles))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		!strings.Contains(tiles, "{z}") || !strings.Contains(tiles, "{x}") || !strings.Contains(tiles, "{y}") {
		return fmt.Errorf("--tiles must be an http(s) URL template with {z}, {x} and {y} (or empty for no tiles), got %q", tiles)
	}
	return nil
}

// redact hides a password in a database URL.
func redact(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if scheme := strings.Index(u, "://"); scheme >= 0 && scheme+3 < at {
			return u[:scheme+3] + "***" + u[at:]
		}
	}
	return u
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func (c *Config) envBool(name string, def bool) bool {
	return envParse(c, name, def, strconv.ParseBool, "true or false")
}

func (c *Config) envInt(name string, def int) int {
	return envParse(c, name, def, strconv.Atoi, "a whole number")
}

func (c *Config) envFloat(name string, def float64) float64 {
	return envParse(c, name, def, func(v string) (float64, error) { return strconv.ParseFloat(v, 64) }, "a number")
}

func (c *Config) envDuration(name string, def time.Duration) time.Duration {
	return envParse(c, name, def, time.ParseDuration, "a duration like 10m or 30s")
}

// envParse reads the environment variable name with parse, or returns def
// when it is not set; a value that does not parse is kept for Validate to
// report (and def used meanwhile).
func envParse[T any](c *Config, name string, def T, parse func(string) (T, error), want string) T {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	x, err := parse(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: expected %s, got %q", name, want, v))
		return def
	}
	return x
}

func timeFlag(dst *time.Time) func(string) error {
	return func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("expected an RFC 3339 instant like 2026-12-01T10:05:00-08:00, got %q", s)
		}
		*dst = t
		return nil
	}
}
