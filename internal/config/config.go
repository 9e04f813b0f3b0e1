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

	// envErrs are environment values that could not be read; Validate
	// reports the first.
	envErrs []error
}

// DefaultTiles are OpenStreetMap's standard tiles.
const DefaultTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{Addr: ":8080", DataDir: "./venuehop-data", Demo: true, DemoSeed: 1, Commit: "group", LogLevel: "info", Tiles: DefaultTiles}
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
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, got %q", c.LogLevel)
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
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: expected true or false, got %q", name, v))
		return def
	}
	return b
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
