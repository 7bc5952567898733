package link

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// orgGuard keeps the links of an Atlas organization safe from its own API.
//
// The Atlas API removes link tokens only organization-wide: removing or
// replacing one atlasmig_link_token removes every token of its Atlas
// organization, and with them the links of every source organization that
// used one. The API cannot list an organization's tokens or links, so the
// provider learns them from what it plans. Every token and link of a plan
// registers with one guard per provider process; plan and apply run in
// different processes, so a decision reaches the apply only through the
// private state that the plan records for each resource. The apply never
// waits for, or counts on, other operations of the same apply.
//
// What Terraform guarantees, and what the protocol relies on:
//
//   - a normal plan plans a token before the links that refer to it, and a
//     destroy plan (terraform destroy, plan -destroy) plans a link before the
//     token it refers to;
//   - an apply deletes a link before the token it refers to, and deletes the
//     old object of a replacement before creating the new one unless
//     create_before_destroy is set;
//   - a refresh reads a token before the links that refer to it; private
//     state written by a read is kept, private state planned for an object
//     that does not change is dropped.
//
// The protocol, per Atlas organization ("gen" names the provider process
// that last refreshed or created an object; "memory" is what a link's last
// refresh saw of its organization's tokens here: fingerprint → source
// organization):
//
//	| resource and what the plan does | registers at plan | private state carried to apply | apply decides |
//	|---|---|---|---|
//	| token: refreshed (Read) | its organization | "refreshed_in" gen | - |
//	| token: stays | stays(fp) | - | - |
//	| token: created (new) | created | - | Create records "refreshed_in" |
//	| token: replaced (org_id, access_list_ips or rotation_triggers changes; -replace; taint) | removed(fp); the second plan call (the new object) gets the first call's "replacing" {org, fp} | "removal" {accounted} | as destroyed; the new object's Create is a plain create |
//	| token: tainted after a lost answer, replaced | its refresh notes the lost token; the new object's plan (null state, no private state) claims it: removed("") | "removal" {accounted} | as destroyed |
//	| token: destroyed in a destroy plan | removed(fp, gen) after its links (gens compared) | "removal" {accounted} | Delete removes the organization's tokens once per apply (404 = already gone), after asking Atlas: refused when a listed project is not accounted for (org_exposure.go) |
//	| token: destroyed in a normal plan (orphan) | removed(fp) | "removal" {accounted} | as above |
//	| link: refreshed (Read) | its source, token and projects | "link" {fp, org, memory, gen, projects, memory_projects}; "status_read" {org, at, creds}, the read's proof of the source credentials (read_reuse.go) | - |
//	| link: stays | stays(source, fp) | - | - |
//	| link: replaced (new token, org or version) | moves(source, fp, memory, gen) | "removes_tokens_of" {org} and "accounted" when the plan removes the organization's tokens | Delete removes the organization's tokens (asking Atlas first) before unlinking, so a refusal (409, wrong key, a project not accounted for) stops the apply with the link intact |
//	| link: destroyed (destroy, orphan) | moves(source, fp, memory, gen) | as above when its token is removed too, or when the memory says it is the organization's only pair here and Atlas lists no project it cannot account for (otherwise the tokens stay, with a warning) | as above; the token's Delete then finds the tokens gone |
//	| link: created | created; when its token is created in the same plan, the plan reads the status and refuses a SYNCED link | "link" {fp, org, gen, projects}, no memory until a refresh | Create refuses to take over a link that is SYNCED (another workspace, create_before_destroy); it lists the available projects around the link to learn its projects |
//	| link: created or re-linked with a token whose value the plan knows (a token it keeps) | relink(source, new fp) | - | - |
//
// Refusals at plan, each decided by the registration that completes it, so
// the planning order does not matter:
//
//   - a token removed while a link of the organization stays, or while a
//     token of the organization is created (a new token, or
//     create_before_destroy);
//   - in a destroy plan (a process that refreshed nothing: Terraform
//     refreshed in an earlier one), a token removed whose link was last
//     refreshed by another process than the token: Terraform refreshed the
//     token without its links, which is terraform destroy -target on the
//     token. It is refused when the link's memory names other pairs, which
//     that removal would break (source organizations without projects
//     too). A full destroy refreshed every object in one process, so its
//     removals are covered: the plan is trusted, Atlas is not asked;
//   - a link destroyed while its token stays, when the link is the only pair
//     of its organization here (its delete would remove the tokens first);
//   - a link created or re-linked with a token the plan keeps (its value is
//     known at plan) while the plan removes that token's organization's
//     tokens: the link would be made with a removed token. An apply after a
//     failed create_before_destroy replacement plans exactly this (the new
//     token stays, the deposed old one is destroyed);
//   - a removal of the organization's tokens while Atlas, asked at plan,
//     lists a project that no link of the organization this plan knows
//     exposes: a source organization linked from elsewhere (another
//     workspace, a pair a targeted plan cannot see). It is decided once the
//     plan knows the projects of every link of the organization it has seen
//     (org_exposure.go); until then, the apply's check before the DELETE
//     decides.
//
// At apply, a removal of the organization's tokens is made once per process,
// serialized, and refused if this process created a token of the
// organization before (create_before_destroy). Nothing waits for another
// operation.
//
// Once a process has changed something, Terraform plans only the objects it
// is about to change (and the old objects of create_before_destroy): the
// plan-time refusals stand down and the apply-time rules decide.
//
// Nothing in private state blocks a later run: "removes_tokens_of" and
// "removal" are planned values, dropped unless their object is deleted in
// that apply; "replacing" is cleared by Create; a full destroy never reads
// the memory; a refresh renews it (a refresh that sees only the link's own
// token keeps the wider memory, since it may be a targeted one, until a
// rotation changes the token). Pairs managed in another workspace are never
// in it.
//
// What a plan cannot know: a destroy plan plans a link before its token, so
// a link of an organization with several pairs here cannot tell a full
// destroy from terraform destroy -target on the link alone; it then unlinks
// without removing the tokens first, and a live migration's 409 comes after
// the unlinks (the guide's limitations say so); the refusal then names the
// organizations this apply unlinked. Terraform does not tell a provider
// about create_before_destroy either: PlanResourceChange carries no
// lifecycle, and in the apply Terraform deposes the old object and plans
// the new one again with a null prior state and no private state, then
// creates it (CreateRequest has no private state at all) before any other
// call of the replacement; the deposed objects are destroyed last. The
// new token's Create is therefore indistinguishable from adding a token
// (TF_LOG=trace shows the same ValidateResourceConfig, PlanResourceChange,
// ApplyResourceChange sequence), and that POST is the one write before the
// link's refusal. The refusal leaves the link as it was and the deposed
// token in state; the rule on kept tokens above refuses every later plan
// that would break it, until the tokens are replaced with -replace.
//
// Why a rotation is a replacement and not an update in place: Terraform plans
// an update again in the apply's own process, and the private state of that
// second plan, not the first one's, reaches Update (a delete keeps the first
// plan's). The apply's process has refreshed nothing, and a token's update
// would run before any operation of the links made with it, so the check
// right before the removal could not account for the projects of the links
// it re-links: it would refuse every rotation, or, taking what the apply can
// see, let a targeted one (-target on one token) break the other pairs. A
// replacement's link deletes run first and carry their plan's accounting.
type orgGuard struct {
	mu sync.Mutex
	// tokenOrg maps a token's fingerprint to its Atlas organization.
	tokenOrg map[string]string
	// linkSource maps a token's fingerprint to the source organization of
	// a link made with it, for the links this process has seen.
	linkSource map[string]string
	orgs       map[string]*orgPlan

	// Apply-time facts about this provider process.
	removed map[string]bool // Atlas organizations whose tokens were removed
	created map[string]bool // Atlas organizations that got a new token
	// createdFP holds the fingerprints of the tokens this process created.
	createdFP map[string]bool
	// unlinked maps an Atlas organization to the source organizations this
	// process unlinked from it.
	unlinked map[string][]string
	proofs   map[string]error
	// proving lets concurrent plans of one organization share one proof.
	proving singleflight.Group
	locks   map[string]*sync.Mutex
	// exposure: what this process knows of the projects the organization's
	// links expose (org_exposure.go).
	exposure exposureFacts
	// applying is set once this process has changed something.
	applying bool
	// refreshed is set once this process has read a token or a link. A
	// destroy plan runs in a process that refreshes nothing (Terraform
	// refreshed in an earlier one); a normal plan refreshes first, unless
	// -refresh=false.
	refreshed bool
	// gen names this process in the private state of what it refreshes or
	// creates: a destroy plan compares the token's with its link's to tell
	// a targeted destroy (Terraform refreshed the targeted token alone)
	// from a full one (everything refreshed in one process).
	gen string
}

// orgPlan is what one plan does to the tokens and links of an Atlas
// organization.
type orgPlan struct {
	removals      []string        // why tokens are removed ("a link token is replaced")
	removedFP     map[string]bool // fingerprints of the tokens removed
	newTokens     int             // tokens planned to be created (not replacements)
	stayingLinks  map[string]bool // source organizations whose link stays as it is
	stayingTokens map[string]bool // fingerprints of tokens that stay
	// moving maps the token fingerprint of each link unlinked or re-linked
	// in this plan to its source organization.
	moving map[string]string
	// assumed maps the token of each destroyed link that removes the
	// organization's tokens first, without the plan having seen its token
	// removed, to the link's source organization.
	assumed map[string]string
	// memory holds the tokens the planned links remember (fingerprint →
	// source organization, "" when unknown).
	memory map[string]string
	// linkGen maps the token of each moving link to the process that last
	// refreshed or created the link.
	linkGen map[string]string
	// relinking maps the known token of each link that the plan links or
	// re-links with a token the plan keeps to the link's source
	// organization.
	relinking map[string]string
}

// guardKey keys the organization guard in the provider instance's state.
type guardKey struct{}

// guardOf returns the guard shared by every resource of this provider
// instance. Terraform configures a provider instance once per plan and once
// per apply, so each holds a fresh guard.
func guardOf(d *shared.ProviderData) *orgGuard { return shared.State(d, guardKey{}, newOrgGuard) }

func newOrgGuard() *orgGuard {
	return &orgGuard{
		tokenOrg:   map[string]string{},
		linkSource: map[string]string{},
		orgs:       map[string]*orgPlan{},
		removed:    map[string]bool{},
		created:    map[string]bool{},
		createdFP:  map[string]bool{},
		unlinked:   map[string][]string{},
		proofs:     map[string]error{},
		locks:      map[string]*sync.Mutex{},
		exposure:   newExposureFacts(),
		gen:        newGen(),
	}
}

// newGen returns a name for this process that no other process shares.
func newGen() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
		p = &orgPlan{removedFP: map[string]bool{}, stayingLinks: map[string]bool{}, stayingTokens: map[string]bool{},
			moving: map[string]string{}, assumed: map[string]string{}, memory: map[string]string{}, linkGen: map[string]string{},
			relinking: map[string]string{}}
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
	linkStays     linkIntent = iota
	linkMoves                // re-linked (replaced)
	linkDestroyed            // unlinked for good (destroy, or removed from the configuration)
	linkCreated
)

// tokenVerdict is what the guard says about a planned token.
type tokenVerdict struct {
	// conflict is the refusal the registration completes, in words for a
	// diagnostic, or "".
	conflict string
	// covered says that the links of this plan remember the organization's
	// tokens and that the plan unlinks or removes every one of them: a full
	// destroy rather than a targeted one. (The apply asks Atlas in either
	// case.)
	covered bool
}

// seeToken records a token this process knows of (a refresh, a plan or a
// creation), so the links made with it learn its Atlas organization.
func (g *orgGuard) seeToken(orgID, fp string) {
	if orgID == "" || fp == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokenOrg[fp] = orgID
}

// sawRefresh records that this process refreshed a token or a link.
func (g *orgGuard) sawRefresh() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refreshed = true
}

// registerToken records a planned token; gen is the process that last
// refreshed or created it ("" when unknown).
func (g *orgGuard) registerToken(orgID, fp string, intent tokenIntent, why, gen string) (v tokenVerdict) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer func() {
		if g.applying {
			v.conflict = ""
		}
	}()
	if fp != "" {
		g.tokenOrg[fp] = orgID
	}
	p := g.plan(orgID)
	switch intent {
	case tokenStays:
		// A token that stays matters through the links made with it,
		// which report most conflicts. (Terraform plans a token named in
		// -replace first as staying, then again as replaced, so a staying
		// token alone proves nothing.)
		if fp == "" {
			return v
		}
		p.stayingTokens[fp] = true
		if source, ok := p.assumed[fp]; ok && !p.removedFP[fp] {
			v.conflict = destroyedLinkKeepsToken(orgID, source)
		}
	case tokenCreated:
		p.newTokens++
		if len(p.removals) > 0 {
			v.conflict = g.conflictLocked(orgID, p, "it also creates a new token for the organization (a new token, or the new object of lifecycle { create_before_destroy = true }, which link tokens cannot support), which the removal could take with it")
		}
	case tokenRemoved:
		if fp != "" && p.removedFP[fp] {
			// The second plan call of a replacement: already counted.
			return v
		}
		p.removals = append(p.removals, why)
		if fp != "" {
			p.removedFP[fp] = true
			delete(p.stayingTokens, fp)
		}
		var victims []string
		if p.newTokens > 0 {
			victims = append(victims, fmt.Sprintf("%d link token(s) created in the same apply (a new token, or the new object of lifecycle { create_before_destroy = true }, which link tokens cannot support)", p.newTokens))
		}
		if orgs := sortedKeys(p.stayingLinks); len(orgs) > 0 {
			victims = append(victims, "the links of source organization(s) "+strings.Join(orgs, ", ")+", which this plan leaves as they are")
		}
		if orgs := relinkedSources(p); len(orgs) > 0 {
			victims = append(victims, relinkVictims(orgs))
		}
		if len(victims) > 0 {
			v.conflict = g.conflictLocked(orgID, p, "it would also remove "+strings.Join(victims, "; "))
			return v
		}
		if g.refreshed || fp == "" || gen == "" {
			// A normal plan plans tokens before their links, and staying
			// links report themselves; without a name for the token's
			// refresh, the plan cannot tell. The apply asks Atlas.
			return v
		}
		linkGen, seen := p.linkGen[fp]
		switch {
		case !seen || linkGen == "":
			// No link of this token in the plan (or one refreshed by an
			// older provider): the apply asks Atlas.
		case linkGen != gen:
			// A destroy plan plans the token's links before it. Their
			// last refresh was not the token's: Terraform refreshed the
			// token without them, which it does for terraform destroy
			// -target on the token.
			if known, unknown := g.othersLocked(p, fp); len(known) > 0 || unknown > 0 {
				v.conflict = targetedConflict(orgID, known, unknown)
				return v
			}
		default:
			v.covered = true
		}
	}
	return v
}

// registerRelink records a link that the plan links or re-links with a
// token whose value the plan knows, so a token the plan keeps (a token being
// replaced is unknown until the apply). If the plan removes the tokens of
// that token's Atlas organization, the link would be linked with a token
// Atlas has just removed: the registration that completes the pair reports
// it. This is what an apply after a failed create_before_destroy
// replacement plans (the new token stays, the old one is destroyed).
func (g *orgGuard) registerRelink(sourceOrgID, newFP string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	orgID := g.tokenOrg[newFP]
	if g.applying || newFP == "" || orgID == "" {
		return ""
	}
	p := g.plan(orgID)
	p.relinking[newFP] = sourceOrgID
	if len(p.removals) == 0 || p.removedFP[newFP] {
		return ""
	}
	return g.conflictLocked(orgID, p, "it would also remove "+relinkVictims([]string{sourceOrgID}))
}

func relinkedSources(p *orgPlan) []string {
	var orgs []string
	for fp, source := range p.relinking {
		if !p.removedFP[fp] {
			orgs = append(orgs, source)
		}
	}
	slices.Sort(orgs)
	return slices.Compact(orgs)
}

func relinkVictims(orgs []string) string {
	return "the token that this plan links source organization(s) " + strings.Join(orgs, ", ") + " with, which it keeps: the link would be made with a token Atlas has just removed " +
		"(an apply after a failed lifecycle { create_before_destroy = true } replacement plans this: remove the setting and replace the token with -replace, " +
		"see the guide's *Rotating a token*)"
}

// othersLocked returns the other tokens the planned links remember: their
// source organizations where known, and how many are of an unknown one.
func (g *orgGuard) othersLocked(p *orgPlan, own string) (known []string, unknown int) {
	for fp, source := range p.memory {
		if fp == own {
			continue
		}
		if source == "" {
			source = g.linkSource[fp]
		}
		if source == "" {
			unknown++
			continue
		}
		known = append(known, source)
	}
	slices.Sort(known)
	return slices.Compact(known), unknown
}

// linkVerdict is what the guard says about a planned link.
type linkVerdict struct {
	atlasOrg string
	conflict string
	// removeFirst says that the link's Delete removes the organization's
	// tokens before unlinking.
	removeFirst bool
}

// registerLink records a planned link of a source organization whose token
// is fp (the token it is linked with now; "" when unknown), with what the
// link remembers of its organization's tokens.
func (g *orgGuard) registerLink(sourceOrgID, fp, knownAtlasOrg string, intent linkIntent, memory map[string]string, gen string) (v linkVerdict) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer func() {
		if g.applying {
			v.conflict = ""
		}
	}()
	v.atlasOrg = knownAtlasOrg
	if org, ok := g.tokenOrg[fp]; ok && fp != "" {
		v.atlasOrg = org
	}
	if fp != "" {
		g.linkSource[fp] = sourceOrgID
	}
	if v.atlasOrg == "" {
		return v
	}
	p := g.plan(v.atlasOrg)
	switch intent {
	case linkStays:
		p.stayingLinks[sourceOrgID] = true
		if len(p.removals) > 0 {
			v.conflict = g.conflictLocked(v.atlasOrg, p, fmt.Sprintf("source organization %s stays linked with one of them, so its link would stop working while Terraform reports success "+
				"(a link given its token through link_token_wo is re-linked only when link_token_wo_version changes: bump it in the same apply)", sourceOrgID))
		}
	case linkMoves, linkDestroyed:
		delete(p.stayingLinks, sourceOrgID)
		for mfp, source := range memory {
			if p.memory[mfp] == "" {
				p.memory[mfp] = source
			}
		}
		if fp == "" {
			return v
		}
		p.moving[fp] = sourceOrgID
		if prev, ok := p.linkGen[fp]; !ok || prev == gen {
			p.linkGen[fp] = gen
		} else {
			p.linkGen[fp] = "" // links of one token refreshed apart: unknown
		}
		switch {
		case len(p.removals) > 0:
			v.removeFirst = true
		case intent != linkDestroyed:
		case onlyPair(memory, fp):
			if p.stayingTokens[fp] {
				v.conflict = destroyedLinkKeepsToken(v.atlasOrg, sourceOrgID)
				return v
			}
			p.assumed[fp] = sourceOrgID
			v.removeFirst = true
		}
	case linkCreated:
	}
	return v
}

// onlyPair reports whether a link's memory says that its token, managed in
// this configuration, is the only token of its Atlas organization here.
func onlyPair(memory map[string]string, fp string) bool {
	_, own := memory[fp]
	return own && len(memory) == 1
}

func destroyedLinkKeepsToken(orgID, sourceOrgID string) string {
	return fmt.Sprintf("This plan unlinks source organization %[2]s but keeps the atlasmig_link_token it was linked with. That token is the only one of Atlas organization %[1]s "+
		"in this configuration, so unlinking removes the organization's link tokens first (so that Atlas can refuse, for example during an active live migration, "+
		"before anything changes): the token would stay in Terraform state after Atlas removed it.\n\n"+
		"Nothing has been changed. Remove the atlasmig_link_token together with its atlasmig_migration_link, or keep both.", orgID, sourceOrgID)
}

func targetedConflict(orgID string, known []string, unknown int) string {
	var who []string
	if len(known) > 0 {
		who = append(who, "source organization(s) "+strings.Join(known, ", "))
	}
	if unknown > 0 {
		who = append(who, fmt.Sprintf("the source organization(s) linked with %d other link token(s) of the organization", unknown))
	}
	return fmt.Sprintf("This plan removes the link tokens of Atlas organization %s, which the Atlas API removes only organization-wide, but it does not unlink %s. "+
		"The last refresh of this configuration's links saw them linked through tokens of the same organization (whether or not they expose projects), "+
		"so their links would stop working while Terraform reports success. This is what a targeted plan (-target) does: it cannot see the other links.\n\n"+
		"Nothing has been changed. Destroy every token of the organization together: run terraform destroy without -target, "+
		"or remove the pairs from the configuration and replace the organization's other tokens in the same apply "+
		"(terraform apply -replace='atlasmig_link_token.<name>' for each). "+
		"If those organizations are no longer managed in this configuration, destroy without -target, or rotate the organization's tokens once so the links forget them.",
		orgID, strings.Join(who, " and "))
}

// lostTokenRemoval is the reason a plan gives for removing the
// organization's tokens when it replaces a token whose creation's answer was
// lost.
const lostTokenRemoval = "a link token whose creation's answer was lost is replaced"

// lostTokenWayOn is the way past a refused replacement of a token whose
// creation's answer was lost that removes nothing, so it works while a live
// migration keeps Atlas from removing any token.
const lostTokenWayOn = "The tainted link token whose creation's answer was lost (terraform plan shows it as tainted) can be left behind without removing anything: " +
	"terraform state rm 'atlasmig_link_token.<name>', then apply again. A new token is created and its link made with it; " +
	"the token Atlas may have created stays unused until the organization's tokens are removed (when its last link goes, or in a rotation of all of them). " +
	"This works during an active live migration, while Atlas refuses to remove any token.\n\nOtherwise, make"

func (g *orgGuard) conflictLocked(orgID string, p *orgPlan, what string) string {
	removals := uniq(p.removals)
	wayOn := "To go ahead, make"
	if slices.Contains(removals, lostTokenRemoval) {
		wayOn = lostTokenWayOn
	}
	return fmt.Sprintf("This plan removes the link tokens of Atlas organization %s (%s). The Atlas API removes link tokens only organization-wide: "+
		"removing or replacing one atlasmig_link_token removes every token of the organization and stops every source organization linked with one. "+
		"Here %s.\n\n"+
		"Nothing has been changed. "+wayOn+" the plan cover every token of the organization, so every link is re-linked with a new token in the same apply:\n"+
		"  - to rotate one token, replace all of them: terraform apply -replace='atlasmig_link_token.<name>' once for each token of the organization "+
		"(with for_each, each instance, such as -replace='atlasmig_link_token.src[\"<key>\"]');\n"+
		"  - to remove one source organization, remove its token and link from the configuration and replace the other tokens of the organization in the same apply;\n"+
		"  - to add a source organization, add it in an apply that removes no token.\n"+
		"Avoid -target with link tokens: a targeted plan cannot see the other tokens and links of the organization.",
		orgID, strings.Join(removals, "; "), what)
}

// memoryOf returns what a link remembers of its Atlas organization: the
// tokens of the organization this process has seen, with the source
// organization of each where known, and its own token.
func (g *orgGuard) memoryOf(orgID, ownFP, ownSource string) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if orgID == "" || ownFP == "" {
		return nil
	}
	m := map[string]string{ownFP: ownSource}
	for fp, org := range g.tokenOrg {
		if org == orgID && fp != ownFP {
			m[fp] = g.linkSource[fp]
		}
	}
	return m
}

// startApply records that this process is applying changes.
func (g *orgGuard) startApply() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.applying = true
}

// removesTokens reports whether this plan removes the organization's tokens,
// as far as its registrations tell so far.
func (g *orgGuard) removesTokens(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.orgs[orgID]
	return p != nil && len(p.removals) > 0
}

// isApplying reports whether this process has changed something: its plans
// are then an apply's, which the apply-time rules decide.
func (g *orgGuard) isApplying() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.applying
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
	g.createdFP[fp] = true
	g.tokenOrg[fp] = orgID
}

// markUnlinked records a source organization this process unlinked from an
// Atlas organization.
func (g *orgGuard) markUnlinked(atlasOrg, sourceOrgID string) {
	if atlasOrg == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unlinked[atlasOrg] = append(g.unlinked[atlasOrg], sourceOrgID)
}

// unlinkedBefore returns the source organizations this process unlinked
// from an Atlas organization.
func (g *orgGuard) unlinkedBefore(atlasOrg string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := slices.Clone(g.unlinked[atlasOrg])
	slices.Sort(out)
	return slices.Compact(out)
}

// createdInThisApply reports whether this process created the token.
func (g *orgGuard) createdInThisApply(fp string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return fp != "" && g.createdFP[fp]
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
// a plan of many resources makes one call per organization, even when
// Terraform plans them at the same time: those wait for the first one's
// answer instead of each asking.
func (g *orgGuard) proveOnce(key string, check func() error) error {
	g.mu.Lock()
	if err, done := g.proofs[key]; done {
		g.mu.Unlock()
		return err
	}
	g.mu.Unlock()
	_, err, _ := g.proving.Do(key, func() (any, error) {
		g.mu.Lock()
		if err, done := g.proofs[key]; done {
			g.mu.Unlock()
			return nil, err
		}
		g.mu.Unlock()
		err := check()
		g.mu.Lock()
		g.proofs[key] = err
		g.mu.Unlock()
		return nil, err
	})
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
// tokens already (skipped), and refuses when it created a token of the
// organization earlier (errCreatedBefore). Removals of one organization run
// one at a time, so a second removal never races past a first one and lands
// after a token created in between. It never waits for other operations.
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
	g.mu.Lock()
	created := g.created[orgID]
	g.mu.Unlock()
	if created {
		return false, errCreatedBefore
	}
	if err := remove(); err != nil {
		return false, err
	}
	g.mu.Lock()
	g.removed[orgID] = true
	g.mu.Unlock()
	return false, nil
}
