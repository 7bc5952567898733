package simulator

import "time"

// now is the simulator's clock: Options.Clock when set, so tests can move
// time forward instead of sleeping through nonce and token lifetimes.
func (s *Simulator) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}
