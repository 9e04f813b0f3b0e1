package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
)

// servePprof serves the Go profiler on addr (VENUEHOP_PPROF_ADDR, e.g.
// 127.0.0.1:6060), for measuring the rush. It is off unless set.
func servePprof(addr string, stderr io.Writer) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if err := http.ListenAndServe(addr, mux); err != nil {
		fmt.Fprintf(stderr, "venuehop serve: profiler on %s: %v\n", addr, err)
	}
}
