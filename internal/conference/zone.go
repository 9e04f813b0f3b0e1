package conference

import (
	"fmt"
	"strings"
	"time"
)

// LoadZone loads a conference time zone, which must be an IANA name: not
// "Local" (the server's own zone would change what stored times mean),
// not empty (Go reads it as UTC), not the tz build's "Factory" or
// "localtime", nor a file under posix/ or right/ (leap-second clocks).
func LoadZone(name string) (*time.Location, error) {
	switch {
	case name == "":
		return nil, fmt.Errorf("expected an IANA time zone such as America/Los_Angeles, got none")
	case name == "Local" || name == "localtime" || name == "Factory",
		strings.HasPrefix(name, "posix/"), strings.HasPrefix(name, "right/"),
		strings.HasPrefix(name, "/"), strings.Contains(name, ".."):
		return nil, fmt.Errorf("expected an IANA time zone such as America/Los_Angeles, got %q (not an IANA name)", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("expected an IANA time zone such as America/Los_Angeles, got %q", name)
	}
	return loc, nil
}
