package link

import (
	"fmt"
	"slices"
	"strings"
)

// Removing an Atlas organization's link tokens stops every source
// organization linked with one of them, whichever configuration (or
// workspace, or person) made the link. Atlas's list of available projects is
// the only view the API gives of those links, and it does not say which
// source organization a project comes from (an available project is
// {projectId, name, migrationHosts, deployments}). So the provider learns it
// itself: when a link is made, it lists the organization's available
// projects just before and just after linking (one link of an organization
// at a time in a process), and the link keeps the projects that appeared in
// its private state. A removal is then safe only while every project Atlas
// lists is accounted for by a link this plan plans (a link the plan keeps is
// refused by the guard's other rules); any other project belongs to a source
// organization the removal would stop, and blocks it. What a link remembers
// of the other pairs tells their projects, but a pair counts only once the
// plan plans it, so a targeted plan cannot account for the pairs it leaves
// out.
//
// The check runs twice: at plan, with the list the plan reads anyway to prove
// the Atlas credentials, as soon as the plan knows the projects of every
// link of the organization it has seen (a normal plan plans a token before
// its links, so the last of them decides; a destroy plan plans links first);
// and at apply, right before the DELETE, with a fresh list. A project that
// appeared in between blocks it too.
//
// What the provider cannot account for blocks as well: a link made before
// the provider kept its projects, an imported link, or a link made in a
// process that did not know its token's Atlas organization, until it is
// re-linked once.

// exposedProject is an available project, as a refusal names it.
type exposedProject struct {
	ID, Name string
}

func (p exposedProject) String() string { return fmt.Sprintf("%s (%s)", p.Name, p.ID) }

// exposureFacts is what one provider process knows of the projects that the
// links of each Atlas organization expose. It is guarded by orgGuard.mu;
// the turns in attribution are channels, taken and ended without it.
type exposureFacts struct {
	// projects maps a link's token fingerprint to the projects its source
	// organization was seen to expose when it linked.
	projects map[string][]string
	// links maps an Atlas organization to the fingerprints of its links
	// that this process refreshed or planned.
	links map[string]map[string]bool
	// memory maps an Atlas organization to the projects that its planned
	// links remember of the organization's pairs (fingerprint → projects).
	memory map[string]map[string][]string
	// available holds Atlas's list of available projects per
	// organization, as read in this process at plan.
	available map[string][]exposedProject
	// accounted holds, per organization, the projects that operations of
	// this apply have accounted for (their plans' and their own links').
	accounted map[string]map[string]bool
	// lost counts, per organization, the refreshed tokens whose creation's
	// answer was lost, which Terraform replaces (they are tainted).
	lost map[string]int
	// attribution holds, per organization, the turn of the link that
	// checks, lists, links and lists again (a channel of one: a link waits
	// for it no longer than its operation's context).
	attribution map[string]chan struct{}
}

func newExposureFacts() exposureFacts {
	return exposureFacts{projects: map[string][]string{}, links: map[string]map[string]bool{}, memory: map[string]map[string][]string{},
		available: map[string][]exposedProject{}, accounted: map[string]map[string]bool{}, lost: map[string]int{},
		attribution: map[string]chan struct{}{}}
}

// noteLinkProjects records a link of an Atlas organization that this process
// refreshed or planned, with the projects it exposes when known (nil when
// not).
func (g *orgGuard) noteLinkProjects(orgID, fp string, projects []string) {
	if orgID == "" || fp == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exposure.links[orgID] == nil {
		g.exposure.links[orgID] = map[string]bool{}
	}
	g.exposure.links[orgID][fp] = true
	if projects != nil {
		g.exposure.projects[fp] = slices.Clone(projects)
	}
}

// noteMemoryProjects records what a planned link remembers of the projects
// of its organization's pairs.
func (g *orgGuard) noteMemoryProjects(orgID string, memory map[string][]string) {
	if orgID == "" || len(memory) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exposure.memory[orgID] == nil {
		g.exposure.memory[orgID] = map[string][]string{}
	}
	for fp, projects := range memory {
		if projects != nil {
			g.exposure.memory[orgID][fp] = slices.Clone(projects)
		}
	}
}

// memoryProjectsOf returns the projects this process knows for each of the
// given tokens of an organization, keeping what the previous memory knew of
// the others.
func (g *orgGuard) memoryProjectsOf(fps map[string]string, previous map[string][]string) map[string][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string][]string{}
	for fp := range fps {
		if p, ok := g.exposure.projects[fp]; ok {
			out[fp] = slices.Clone(p)
		} else if p, ok := previous[fp]; ok && p != nil {
			out[fp] = slices.Clone(p)
		}
	}
	return out
}

// noteAvailable records Atlas's list of available projects of an
// organization, read at plan.
func (g *orgGuard) noteAvailable(orgID string, projects []exposedProject) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.exposure.available[orgID] = slices.Clone(projects)
}

// exposureVerdict is what the plan can say about the projects Atlas lists for
// an organization whose tokens it removes.
type exposureVerdict struct {
	// unaccounted are the listed projects that no link this process knows
	// of exposes.
	unaccounted []exposedProject
	// accounted are the projects of the links this process knows of, for
	// the apply's check.
	accounted []string
	// complete says that the process knows the projects of every link of
	// the organization it has seen, so unaccounted projects are another
	// source organization's.
	complete bool
}

// blocks reports whether the removal must be refused at plan.
func (v exposureVerdict) blocks() bool { return v.complete && len(v.unaccounted) > 0 }

// judgeExposure compares Atlas's list of an organization's available
// projects, read at plan, with the projects of the links this process knows.
func (g *orgGuard) judgeExposure(orgID string) exposureVerdict {
	g.mu.Lock()
	defer g.mu.Unlock()
	var v exposureVerdict
	accounted := map[string]bool{}
	v.complete = true
	links := g.exposure.links[orgID]
	for fp := range links {
		projects, known := g.exposure.projects[fp]
		if !known {
			projects, known = g.exposure.memory[orgID][fp]
		}
		if !known {
			v.complete = false
		}
		for _, id := range projects {
			accounted[id] = true
		}
	}
	// The pairs the links remember must be in the plan too: a pair this
	// plan does not plan (a targeted plan) accounts for nothing, and until
	// it is planned the plan cannot judge.
	if p := g.orgs[orgID]; p != nil {
		for fp := range p.memory {
			if !links[fp] {
				v.complete = false
			}
		}
	}
	// Every token of the organization this process saw needs its link: a
	// normal plan plans a token before its links, which may still come
	// (and orphans in any order). A token whose links live elsewhere (a
	// workspace that holds tokens only) is judged by the apply's check,
	// before its removal, which is then the apply's first write.
	for fp, org := range g.tokenOrg {
		if org == orgID && !links[fp] {
			v.complete = false
		}
	}
	listed, read := g.exposure.available[orgID]
	if !read {
		v.complete = false
	}
	for _, p := range listed {
		if !accounted[p.ID] {
			v.unaccounted = append(v.unaccounted, p)
		}
	}
	v.accounted = sortedKeys(accounted)
	return v
}

// noteAccounted records, at apply, projects that an operation of this apply
// accounts for.
func (g *orgGuard) noteAccounted(orgID string, projects []string) {
	if orgID == "" || len(projects) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exposure.accounted[orgID] == nil {
		g.exposure.accounted[orgID] = map[string]bool{}
	}
	for _, id := range projects {
		g.exposure.accounted[orgID][id] = true
	}
}

// unaccountedAtApply returns the listed projects that neither the operation
// (accounted) nor any other operation of this apply accounts for.
func (g *orgGuard) unaccountedAtApply(orgID string, listed []exposedProject, accounted []string) []exposedProject {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []exposedProject
	for _, p := range listed {
		if !slices.Contains(accounted, p.ID) && !g.exposure.accounted[orgID][p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// noteLostToken records a refreshed token whose creation's answer was lost.
func (g *orgGuard) noteLostToken(orgID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.exposure.lost[orgID]++
}

// claimLostToken reports whether a token of the organization whose answer
// was lost awaits its replacement, and counts it as planned.
func (g *orgGuard) claimLostToken(orgID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exposure.lost[orgID] == 0 {
		return false
	}
	g.exposure.lost[orgID]--
	return true
}

// attributionTurn returns the turn the links of one Atlas organization take
// in this process: whoever sends into it holds the turn until it receives.
func (g *orgGuard) attributionTurn(orgID string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	turn := g.exposure.attribution[orgID]
	if turn == nil {
		turn = make(chan struct{}, 1)
		g.exposure.attribution[orgID] = turn
	}
	return turn
}

// exposureConflict explains a removal refused because other source
// organizations expose projects through the organization's tokens.
func exposureConflict(orgID string, projects []exposedProject, atPlan bool) string {
	names := make([]string, len(projects))
	for i, p := range projects {
		names[i] = p.String()
	}
	when := "at plan"
	if !atPlan {
		when = "right before removing them"
	}
	return fmt.Sprintf("This plan removes the link tokens of Atlas organization %s, which the Atlas API removes only organization-wide, "+
		"but Atlas (asked %s) lists projects that no link this configuration removes exposes: %s. "+
		"They belong to source organizations linked with a token of the same Atlas organization from elsewhere (another workspace, the Atlas CLI, the UI), "+
		"or to a link of this configuration whose projects the provider has not seen appear (made before it kept them, imported, or made without its token's Atlas organization known). "+
		"The API does not say which source organization a project comes from, so every project not accounted for blocks the removal: those links would stop syncing while Terraform reports success.\n\n"+
		"Nothing has been changed. To go ahead:\n"+
		"  - if another configuration links those organizations, leave the tokens to it: remove this configuration's tokens of the organization from its state "+
		"(terraform state rm 'atlasmig_link_token.<name>') and run again; the links are unlinked and the tokens stay, and the configuration that unlinks the last "+
		"source organization removes them all;\n"+
		"  - or unlink those organizations first, where they were linked;\n"+
		"  - if a link of this configuration exposes them, re-link it once (terraform apply -replace='atlasmig_migration_link.<name>') so the provider sees its projects.",
		orgID, when, strings.Join(names, ", "))
}
