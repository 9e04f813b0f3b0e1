package postgres

// crashPoint marks a step of Apply (conference-written, seats-written,
// committed) for the crash tests, which make the process kill itself
// there; it does nothing otherwise.
func (s *Store) crashPoint(step string) {
	if s.crashAt != nil {
		s.crashAt(step)
	}
}
