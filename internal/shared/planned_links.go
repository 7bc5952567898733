package shared

import "sync"

// PlannedLinks records, for one plan, the Atlas organizations to which the
// plan creates or keeps a migration link, so that a new migration planned
// after its link (depends_on) does not warn that no source organization is
// linked yet. A link whose token is created in the same plan does not know
// its Atlas organization at plan time: it is recorded as unknown, which
// counts for every organization. The check before the migration is
// created runs in any case, so a missing link still stops the apply
// before anything is started.
type PlannedLinks struct {
	mu      sync.Mutex
	orgs    map[string]bool
	unknown bool
}

// Note records a link the plan creates or keeps; atlasOrg is "" when the
// plan cannot know it yet.
func (p *PlannedLinks) Note(atlasOrg string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if atlasOrg == "" {
		p.unknown = true
		return
	}
	if p.orgs == nil {
		p.orgs = map[string]bool{}
	}
	p.orgs[atlasOrg] = true
}

// Covers reports whether the plan creates or keeps a link that may expose
// projects to atlasOrg.
func (p *PlannedLinks) Covers(atlasOrg string) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unknown || p.orgs[atlasOrg]
}

// PlannedLinks returns the registry shared by every resource of this
// provider instance (one per plan).
func (d *ProviderData) PlannedLinks() *PlannedLinks {
	if d == nil {
		return nil
	}
	d.linksOnce.Do(func() { d.links = &PlannedLinks{} })
	return d.links
}
