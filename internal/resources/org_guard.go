package resources

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
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
// while a link made with one of them stays as it is, or while it creates a
// new token of the organization, is refused before anything is written.
// Whichever of the two registrations comes second reports the conflict, so
// the order in which Terraform plans resources does not matter.
//
// At apply time the guard makes the organization-wide removal happen once
// per organization, and refuses a removal that would take a token created
// earlier in the same apply with it (create_before_destroy) or that the
// plan expected together with removals that never start (-target).
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
	// arrived holds, per Atlas organization, the fingerprints of the tokens
	// whose removal this apply has started.
	arrived map[string]map[string]bool
	// applying is set once this process has changed something: Terraform
	// then plans only the objects it is about to change (and the old
	// objects of create_before_destroy), a partial view in which the
	// removal rules above would misjudge. The apply-time rules take over.
	applying bool
	// companionWait bounds how long a removal waits for the removals of
	// the other tokens the plan expects in the same apply.
	companionWait time.Duration
}

// orgPlan is what one plan does to the tokens and links of an Atlas
// organization.
type orgPlan struct {
	removals     []string        // why tokens are removed ("a link token is replaced")
	removedFP    map[string]bool // fingerprints of the tokens removed
	newTokens    int             // tokens planned to be created (not replacements)
	stayingLinks map[string]bool // source organizations whose link stays as it is
	// moving maps the token fingerprint of each link unlinked or re-linked
	// in this plan to its source organization.
	moving map[string]string
}

func newOrgGuard() *orgGuard {
	return &orgGuard{
		tokenOrg: map[string]string{},
		orgs:     map[string]*orgPlan{},
		removed:  map[string]bool{},
		created:  map[string]bool{},
		proofs:   map[string]error{},
		locks:    map[string]*sync.Mutex{},
		arrived:  map[string]map[string]bool{},

		companionWait: 10 * time.Second,
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
		p = &orgPlan{removedFP: map[string]bool{}, stayingLinks: map[string]bool{}, moving: map[string]string{}}
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
func (g *orgGuard) registerToken(orgID, fp string, intent tokenIntent, why string) (conflict string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer func() {
		if g.applying {
			conflict = ""
		}
	}()
	if fp != "" {
		g.tokenOrg[fp] = orgID
	}
	p := g.plan(orgID)
	switch intent {
	case tokenStays:
		// A token that stays matters through the links made with it,
		// which report the conflict. (Terraform plans a token named in
		// -replace first as staying, then again as replaced, so a staying
		// token alone proves nothing.)
	case tokenCreated:
		p.newTokens++
		if len(p.removals) > 0 {
			return g.conflictLocked(orgID, p, "it also creates a new token for the organization (a new token, or the new object of lifecycle { create_before_destroy = true }, which link tokens cannot support), which the removal could take with it")
		}
	case tokenRemoved:
		if fp != "" && p.removedFP[fp] {
			// The second plan call of a replacement: already counted.
			return ""
		}
		p.removals = append(p.removals, why)
		if fp != "" {
			p.removedFP[fp] = true
		}
		var victims []string
		if p.newTokens > 0 {
			victims = append(victims, fmt.Sprintf("%d link token(s) created in the same apply (a new token, or the new object of lifecycle { create_before_destroy = true }, which link tokens cannot support)", p.newTokens))
		}
		if orgs := sortedKeys(p.stayingLinks); len(orgs) > 0 {
			victims = append(victims, "the links of source organization(s) "+strings.Join(orgs, ", ")+", which this plan leaves as they are")
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
	defer func() {
		if g.applying {
			conflict = ""
		}
	}()
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
			return atlasOrg, g.conflictLocked(atlasOrg, p, fmt.Sprintf("source organization %s stays linked with one of them, so its link would stop working while Terraform reports success "+
				"(a link given its token through link_token_wo is re-linked only when link_token_wo_version changes: bump it in the same apply)", sourceOrgID))
		}
	case linkMoves:
		delete(p.stayingLinks, sourceOrgID)
		if fp != "" {
			p.moving[fp] = sourceOrgID
		}
	case linkCreated:
	}
	return atlasOrg, ""
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

// startApply records that this process is applying changes.
func (g *orgGuard) startApply() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.applying = true
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

// markProved records a credential check that another call of this process
// already made (a refresh that read the link's status), so the plan does not
// repeat it.
func (g *orgGuard) markProved(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, done := g.proofs[key]; !done {
		g.proofs[key] = nil
	}
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

// unremovedMoving returns the tokens (fingerprint → source organization) of
// links that this plan unlinks or re-links, other than own, whose own
// atlasmig_link_token has not been planned for removal yet. In a destroy,
// Terraform plans the links first: these tokens must be removed in the same
// apply, or they would stay in state after the organization-wide removal
// made them useless.
func (g *orgGuard) unremovedMoving(orgID, own string) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]string{}
	if p := g.orgs[orgID]; p != nil {
		for fp, source := range p.moving {
			if fp != own && !p.removedFP[fp] {
				out[fp] = source
			}
		}
	}
	return out
}

// removeOnce runs remove unless this process removed the organization's
// tokens already (skipped), refusing when it created a token of the
// organization earlier (errCreatedBefore), or when the removals of the
// companion tokens the plan expects in this apply do not start
// (errCompanionsMissing: a targeted plan). Removals of one organization run
// one at a time, so a second removal never races past a first one and lands
// after a token created in between.
func (g *orgGuard) removeOnce(orgID, own string, companions map[string]string, remove func() error) (skipped bool, err error) {
	g.mu.Lock()
	if g.arrived[orgID] == nil {
		g.arrived[orgID] = map[string]bool{}
	}
	g.arrived[orgID][own] = true
	lock := g.locks[orgID]
	if lock == nil {
		lock = &sync.Mutex{}
		g.locks[orgID] = lock
	}
	g.mu.Unlock()

	if missing := g.waitForCompanions(orgID, companions); len(missing) > 0 {
		return false, &companionsMissingError{sources: missing}
	}
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

// waitForCompanions waits, boundedly, until the removal of every companion
// token has started in this apply; it returns the source organizations of
// those that did not.
func (g *orgGuard) waitForCompanions(orgID string, companions map[string]string) []string {
	deadline := time.Now().Add(g.companionWait)
	for {
		g.mu.Lock()
		var missing []string
		for fp, source := range companions {
			if !g.arrived[orgID][fp] && !g.removed[orgID] {
				missing = append(missing, source)
			}
		}
		g.mu.Unlock()
		if len(missing) == 0 || time.Now().After(deadline) {
			slices.Sort(missing)
			return missing
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// companionsMissingError names the source organizations whose tokens a
// removal would make useless without removing them from state.
type companionsMissingError struct{ sources []string }

func (e *companionsMissingError) Error() string {
	return "the tokens of source organizations " + strings.Join(e.sources, ", ") + " are not removed in this apply"
}

// removalPlanned reports whether this plan removes the organization's tokens.
func (g *orgGuard) removalPlanned(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.orgs[orgID]
	return p != nil && len(p.removals) > 0
}
