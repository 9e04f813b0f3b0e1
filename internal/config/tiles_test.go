package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestTilesFlag(t *testing.T) {
	tests := []struct {
		env   string // VENUEHOP_TILES; "-" unset
		args  []string
		want  string
		error string
	}{
		{env: "-", want: DefaultTiles},
		{env: "-", args: []string{"--tiles="}, want: ""},
		{env: "-", args: []string{"--tiles", "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}, want: "https://{s}.tiles.example.org/{z}/{x}/{y}.png"},
		{env: "", want: ""},
		{env: "http://localhost:8081/{z}/{x}/{y}.png", want: "http://localhost:8081/{z}/{x}/{y}.png"},
		{env: "http://localhost:8081/{z}/{x}/{y}.png", args: []string{"--tiles", DefaultTiles}, want: DefaultTiles},
		{env: "-", args: []string{"--tiles", "https://tiles.example.org/"}, error: "--tiles must be"},
		{env: "-", args: []string{"--tiles", "ftp://tiles.example.org/{z}/{x}/{y}.png"}, error: "--tiles must be"},
		{env: "tiles/{z}/{x}/{y}.png", error: "--tiles must be"},
	}
	for _, tt := range tests {
		t.Run(tt.env+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			if tt.env != "-" {
				t.Setenv("VENUEHOP_TILES", tt.env)
			}
			cfg := Defaults()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cfg.ServeFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := cfg.Validate()
			if tt.error != "" {
				if err == nil || !strings.Contains(err.Error(), tt.error) {
					t.Fatalf("Validate: %v, want %q", err, tt.error)
				}
				return
			}
			if err != nil || cfg.Tiles != tt.want {
				t.Fatalf("tiles %q (%v), want %q", cfg.Tiles, err, tt.want)
			}
		})
	}
}
