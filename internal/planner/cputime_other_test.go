//go:build !linux

package planner_test

import "time"

// threadCPU is unavailable here: CPU metrics report 0.
func threadCPU() time.Duration { return 0 }
