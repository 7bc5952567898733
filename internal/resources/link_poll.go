package resources

import "time"

// LinkPoll says how often Create reads the status while a new link is not
// yet SYNCED: first after Interval, then doubling up to MaxInterval.
type LinkPoll struct {
	Interval    time.Duration
	MaxInterval time.Duration
}

// DefaultLinkPoll is the polling a provider uses unless built with another.
var DefaultLinkPoll = LinkPoll{Interval: 2 * time.Second, MaxInterval: 15 * time.Second}

// linkPoll returns the provider's polling, or the default for unset fields.
func (d *ProviderData) linkPoll() LinkPoll {
	p := LinkPoll{}
	if d != nil {
		p = d.LinkPoll
	}
	if p.Interval <= 0 {
		p.Interval = DefaultLinkPoll.Interval
	}
	if p.MaxInterval < p.Interval {
		p.MaxInterval = max(p.Interval, DefaultLinkPoll.MaxInterval)
	}
	return p
}
