package reservation

// CheckedIn returns how many attendees were scanned into a session (any
// scheduled session, reservable or not: a keynote's badge scans tell how
// full its hall is), and false for a session the engine does not know.
func (e *Engine) CheckedIn(sessionID string) (int, bool) {
	s := e.sessions.Load().Session(sessionID)
	if s == nil {
		return 0, false
	}
	return s.Published().CheckedIn, true
}
