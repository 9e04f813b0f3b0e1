package travel

// Test hooks into the entrance-to-entrance tables.

func (m *Model) EntranceCount() int { return m.nEnt }

func (m *Model) EntranceArrive(from, to int, at int32) int32 {
	a, _ := m.entranceArrive(int32(from), int32(to), at)
	return a
}

// DaySpan returns the conference minutes of the first day's midnight and of
// the last day's end.
func (m *Model) DaySpan() (first, end int32) {
	last := m.days[len(m.days)-1]
	return m.days[0].offset, last.offset + last.length
}
