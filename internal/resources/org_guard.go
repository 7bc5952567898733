package resources

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// orgGuard keeps the links of an Atlas organization safe from its own API.
//
// The Atlas API removes link tokens only organization-wide: removing or
// replacing one atlasmig_link_token removes every token of its Atlas
// organization, and with them the links of every source organization that
// used one. The API cannot list an organization's tokens or links, so the
// provider learns them from what it plans: every token and link of a plan
// registers here (one guard per provider instance, shared by all resources
// of the plan), and a plan that would remove the tokens of an organization
// while another token or link of it stays is refused before anything is
// written. Whichever of the two registrations comes second reports the
// conflict, so the order in which Terraform plans resources does not matter.
//
// At apply time the guard makes the organization-wide removal happen once
// per organization and refuses a removal that would take a token created
// earlier in the same apply with it (create_before_destroy).
type orgGuard struct {
	mu sync.Mutex
	// tokenOrg maps a token's fingerprint to its Atlas organization.
	tokenOrg map[string]string
	orgs     map[string]*orgPlan

	// Apply-time facts about this provider process.
	removed map[string]bool // Atlas organizations whose tokens were removed
	created map[string]bool // Atlas organizations that got a new token
	proofs  map[string]error
	locks   map[string]*sync.Mutex
}

// orgPlan is what one plan does to the tokens and links of an Atlas
// organization.
type orgPlan struct {
	removals     []string        // why tokens are removed ("a link token is replaced")
	removedFP    map[string]bool // fingerprints of the tokens removed
	keptFP       map[string]bool // fingerprints of the tokens planned to stay
	newTokens    int             // tokens planned to be created (not replacements)
	stayingLinks map[string]bool // source organizations whose link stays as it is
	// movingLinks are links unlinked or re-linked in this plan, keyed by
	// source organization, with the fingerprint of the token they used.
	movingLinks map[string]string
}

func newOrgGuard() *orgGuard {
	return &orgGuard{
		tokenOrg: map[string]string{},
		orgs:     map[string]*orgPlan{},
		removed:  map[string]bool{},
		created:  map[string]bool{},
		proofs:   map[string]error{},
		locks:    map[string]*sync.Mutex{},
	}
}

// fingerprint identifies a token without revealing it: a truncated SHA-256
// of a long random secret cannot be turned back into the secret.
func fingerprint(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:12])
}

func (g *orgGuard) plan(orgID string) *orgPlan {
	p := g.orgs[orgID]
	if p == nil {
		p = &orgPlan{removedFP: map[string]bool{}, keptFP: map[string]bool{}, stayingLinks: map[string]bool{}, movingLinks: map[string]string{}}
		g.orgs[orgID] = p
	}
	return p
}

// tokenIntent is what a plan does to one atlasmig_link_token.
type tokenIntent int

const (
	tokenStays tokenIntent = iota
	tokenCreated
	tokenRemoved // destroyed, or replaced (removed, then created again)
)

// linkIntent is what a plan does to one atlasmig_migration_link.
type linkIntent int

const (
	linkStays linkIntent = iota
	linkMoves            // unlinked (destroy) or re-linked (replace)
	linkCreated
)

// registerToken records a planned token and returns the conflict it
// completes, in words for a diagnostic, or "".
func (g *orgGuard) registerToken(orgID, fp string, intent tokenIntent, why string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if fp != "" {
		g.tokenOrg[fp] = orgID
	}
	p := g.plan(orgID)
	switch intent {
	case tokenStays:
		p.keptFP[fp] = true
		if len(p.removals) > 0 {
			return g.conflictLocked(orgID, p, "another link token of the organization stays in Terraform state, but would stop working")
		}
	case tokenCreated:
		p.newTokens++
		if len(p.removals) > 0 {
			return g.conflictLocked(orgID, p, "it also creates a new token for the organization, which the removal could take with it")
		}
	case tokenRemoved:
		if fp != "" && p.removedFP[fp] {
			// The second plan call of a replacement: already counted.
			return ""
		}
		// A token first planned as staying (Terraform asks again when it
		// replaces an object for -replace) now counts as removed.
		delete(p.keptFP, fp)
		p.removals = append(p.removals, why)
		if fp != "" {
			p.removedFP[fp] = true
		}
		var victims []string
		if n := len(p.keptFP); n > 0 {
			victims = append(victims, fmt.Sprintf("%d other link token(s) of the organization that this plan keeps", n))
		}
		if p.newTokens > 0 {
			victims = append(victims, fmt.Sprintf("%d link token(s) this plan creates", p.newTokens))
		}
		if orgs := sortedKeys(p.stayingLinks); len(orgs) > 0 {
			victims = append(victims, "the links of source organization(s) "+strings.Join(orgs, ", ")+", which this plan leaves as they are")
		}
		if orgs := g.strandedLocked(p); len(orgs) > 0 {
			victims = append(victims, "the tokens that source organization(s) "+strings.Join(orgs, ", ")+" were linked with, whose atlasmig_link_token resources are not part of this plan")
		}
		if len(victims) > 0 {
			return g.conflictLocked(orgID, p, "it would also remove "+strings.Join(victims, "; "))
		}
	}
	return ""
}

// registerLink records a planned link of a source organization whose token
// is fp (the token it is linked with now; "" when unknown). It returns the
// conflict it completes, or "".
func (g *orgGuard) registerLink(sourceOrgID, fp, knownAtlasOrg string, intent linkIntent) (atlasOrg, conflict string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	atlasOrg = knownAtlasOrg
	if org, ok := g.tokenOrg[fp]; ok && fp != "" {
		atlasOrg = org
	}
	if atlasOrg == "" {
		return "", ""
	}
	p := g.plan(atlasOrg)
	switch intent {
	case linkStays:
		p.stayingLinks[sourceOrgID] = true
		if len(p.removals) > 0 {
			return atlasOrg, g.conflictLocked(atlasOrg, p, fmt.Sprintf("source organization %s stays linked with one of them, so its link would stop working while Terraform reports success", sourceOrgID))
		}
	case linkMoves:
		delete(p.stayingLinks, sourceOrgID)
		p.movingLinks[sourceOrgID] = fp
		if len(p.removals) > 0 && fp != "" && !p.removedFP[fp] {
			return atlasOrg, g.conflictLocked(atlasOrg, p, fmt.Sprintf("source organization %s is linked with another token of the organization, whose atlasmig_link_token is not part of this plan: "+
				"it would stay in Terraform state but stop working", sourceOrgID))
		}
	case linkCreated:
	}
	return atlasOrg, ""
}

// strandedLocked lists the source organizations unlinked or re-linked in
// this plan whose token is not among the tokens removed.
func (g *orgGuard) strandedLocked(p *orgPlan) []string {
	var orgs []string
	for org, fp := range p.movingLinks {
		if fp != "" && !p.removedFP[fp] {
			orgs = append(orgs, org)
		}
	}
	slices.Sort(orgs)
	return orgs
}

func (g *orgGuard) conflictLocked(orgID string, p *orgPlan, what string) string {
	return fmt.Sprintf("This plan removes the link tokens of Atlas organization %s (%s). The Atlas API removes link tokens only organization-wide: "+
		"removing or replacing one atlasmig_link_token removes every token of the organization and stops every source organization linked with one. "+
		"Here %s.\n\n"+
		"Nothing has been changed. To go ahead, make the plan cover every token of the organization, so every link is re-linked with a new token in the same apply:\n"+
		"  - to rotate one token, replace all of them: terraform apply -replace='atlasmig_link_token.<name>' once for each token of the organization "+
		"(with for_each, each instance, such as -replace='atlasmig_link_token.src[\"<key>\"]');\n"+
		"  - to remove one source organization, remove its token and link from the configuration and replace the other tokens of the organization in the same apply;\n"+
		"  - to add a source organization, add it in an apply that removes no token.\n"+
		"Avoid -target with link tokens: a targeted plan cannot see the other tokens and links of the organization.",
		orgID, strings.Join(uniq(p.removals), "; "), what)
}

// markRemoved records that this process removed the organization's tokens,
// and reports whether it had already done so (so the API call is skipped:
// every token the organization had then is gone).
func (g *orgGuard) markRemoved(orgID string) (already bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	already = g.removed[orgID]
	g.removed[orgID] = true
	return already
}

// removedBefore reports whether this process removed the organization's
// tokens already.
func (g *orgGuard) removedBefore(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.removed[orgID]
}

// markCreated records a token created by this process.
func (g *orgGuard) markCreated(orgID, fp string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.created[orgID] = true
	g.tokenOrg[fp] = orgID
}

// createdBefore reports whether this process created a token of the
// organization, which a removal now would take with it.
func (g *orgGuard) createdBefore(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.created[orgID]
}

// atlasOrgOf returns the Atlas organization of a token fingerprint, if known.
func (g *orgGuard) atlasOrgOf(fp string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokenOrg[fp]
}

// proveOnce runs a read-only credential check once per key and process, so
// a plan of many resources makes one call per organization.
func (g *orgGuard) proveOnce(key string, check func() error) error {
	g.mu.Lock()
	if err, done := g.proofs[key]; done {
		g.mu.Unlock()
		return err
	}
	g.mu.Unlock()
	err := check()
	g.mu.Lock()
	g.proofs[key] = err
	g.mu.Unlock()
	return err
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func uniq(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// removeOnce runs remove unless this process removed the organization's
// tokens already (skipped), refusing when it created a token of the
// organization earlier (errCreatedBefore). Removals of one organization run
// one at a time, so a second removal never races past a first one and lands
// after a token created in between.
func (g *orgGuard) removeOnce(orgID string, remove func() error) (skipped bool, err error) {
	g.mu.Lock()
	lock := g.locks[orgID]
	if lock == nil {
		lock = &sync.Mutex{}
		g.locks[orgID] = lock
	}
	g.mu.Unlock()
	lock.Lock()
	defer lock.Unlock()
	if g.removedBefore(orgID) {
		return true, nil
	}
	if g.createdBefore(orgID) {
		return false, errCreatedBefore
	}
	if err := remove(); err != nil {
		return false, err
	}
	g.markRemoved(orgID)
	return false, nil
}

// removalPlanned reports whether this plan removes the organization's tokens.
func (g *orgGuard) removalPlanned(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.orgs[orgID]
	return p != nil && len(p.removals) > 0
}
