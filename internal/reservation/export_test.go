package reservation

import "context"

// NewOptimistic is New for an engine that always tries the optimistic
// commit first on a shared log, so that tests exercise losing races and
// taking decisions back.
func NewOptimistic(ctx context.Context, cfg Config, d Deps) (*Engine, error) {
	e, err := New(ctx, cfg, d)
	if err == nil {
		e.contendedFor.Store(-1)
	}
	return e, err
}

// DumpState renders the engine's seat state canonically, for tests that
// compare nodes with each other and with a fresh load. Call it only after
// Close (the sequencer owns the state while it runs). Quota tokens are
// included when withQuota is set (a fresh load does not have them).
func (e *Engine) DumpState(withQuota bool) string { return e.seq.st.Dump(withQuota) }
