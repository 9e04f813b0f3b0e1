package venuepack

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"

	"venuehop/internal/errcode"
)

// The shipped packs, one JSON file each, named by pack id.
//
//go:embed packs/*.json
var shippedFS embed.FS

// Ids of the shipped packs.
const (
	StripID = "las-vegas-strip"
	ULBID   = "ulb-solbosch"
)

// Shipped returns the packs built into venuehop, read afresh on each call
// (they are small), sorted by id.
func Shipped() ([]*Pack, error) {
	entries, err := shippedFS.ReadDir("packs")
	if err != nil {
		return nil, err
	}
	var out []*Pack
	for _, e := range entries {
		p, err := readShipped(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Pack) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func readShipped(file string) (*Pack, error) {
	f, err := shippedFS.Open(path.Join("packs", file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := Read(f, file)
	if err != nil {
		return nil, fmt.Errorf("shipped venue pack %s: %w", file, err) // a build defect; the tests read every one
	}
	return p, nil
}

// Get returns the shipped pack with this id; errcode.NotFound names the
// ones there are.
func Get(id string) (*Pack, error) {
	p, err := readShipped(id + ".json")
	if err == nil && p.ID == id {
		return p, nil
	}
	return nil, errcode.New(errcode.NotFound, "no shipped venue pack %q (there are %s)", id, strings.Join(ShippedIDs(), ", "))
}

// ShippedIDs lists the shipped packs' ids.
func ShippedIDs() []string {
	entries, _ := shippedFS.ReadDir("packs")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(out)
	return out
}

// Raw returns a shipped pack's file as it is embedded (to start one's own).
func Raw(id string) ([]byte, error) {
	if !slices.Contains(ShippedIDs(), id) {
		return nil, errcode.New(errcode.NotFound, "no shipped venue pack %q (there are %s)", id, strings.Join(ShippedIDs(), ", "))
	}
	return shippedFS.ReadFile(path.Join("packs", id+".json"))
}
