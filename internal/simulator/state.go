package simulator

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"
)

// Project is an available project, with the API's JSON names.
type Project struct {
	ProjectID      string       `json:"projectId"`
	Name           string       `json:"name"`
	MigrationHosts []string     `json:"migrationHosts"`
	Deployments    []Deployment `json:"deployments"`
}

// answered is the project as the API answers it: its lists are never null,
// though a project may be seeded or set without hosts or deployments.
func (p Project) answered() Project {
	if p.MigrationHosts == nil {
		p.MigrationHosts = []string{}
	}
	if p.Deployments == nil {
		p.Deployments = []Deployment{}
	}
	return p
}

// Deployment is one deployment of a project; optional fields are omitted
// from answers when nil, as the API omits them.
type Deployment struct {
	Name                        string  `json:"name"`
	ClusterID                   *string `json:"clusterId,omitempty"`
	MongoDBVersion              string  `json:"mongoDBVersion"`
	FeatureCompatibilityVersion string  `json:"featureCompatibilityVersion"`
	Managed                     bool    `json:"managed"`
	Sharded                     bool    `json:"sharded"`
	TLSEnabled                  bool    `json:"tlsEnabled"`
	AgentVersion                *string `json:"agentVersion,omitempty"`
	DBSizeBytes                 *int64  `json:"dbSizeBytes,omitempty"`
	OplogSizeMB                 *int64  `json:"oplogSizeMB,omitempty"`
	ShardsSize                  *int64  `json:"shardsSize,omitempty"`
}

// Seed is an initial state: inventory per source organization and active
// migrations per Atlas organization. It is also the format of -state files.
type Seed struct {
	Inventory        map[string][]Project `json:"inventory,omitempty"`
	ActiveMigrations map[string][]string  `json:"activeMigrations,omitempty"`
	// AtlasProjects are the destination projects and their clusters.
	AtlasProjects []AtlasProject `json:"atlasProjects,omitempty"`
}

// LoadSeed reads a seed from a JSON file, rejecting unknown fields so typos
// do not go unnoticed.
func LoadSeed(path string) (*Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("reading the state file %s: %w", path, err)
	}
	return &seed, nil
}

func (s *Simulator) applySeed(seed Seed) {
	for org, projects := range seed.Inventory {
		s.inventory[org] = projects
	}
	for org, ids := range seed.ActiveMigrations {
		s.activeMigrations[org] = ids
	}
	for _, p := range seed.AtlasProjects {
		cp := p
		s.mig.projects[p.ID] = &cp
	}
}

// LinkTokens returns the live tokens of an Atlas organization, oldest first.
func (s *Simulator) LinkTokens(atlasOrgID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	type t struct {
		v string
		c time.Time
	}
	var list []t
	for v, rec := range s.tokens {
		if rec.AtlasOrgID == atlasOrgID {
			list = append(list, t{v, rec.Created})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].c.Before(list[j].c) })
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.v
	}
	return out
}

// TokenAccessList returns the access list a token was created with.
func (s *Simulator) TokenAccessList(token string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.tokens[token]
	if !ok {
		return nil, false
	}
	return slices.Clone(rec.AccessListIPs), true
}

// AllLinkTokens returns every live token of every organization.
func (s *Simulator) AllLinkTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for v := range s.tokens {
		out = append(out, v)
	}
	return out
}

// LinkStatus returns the status of a source organization's link: SYNCED
// while its token is live, NOT_SYNCED once the Atlas side removed it.
func (s *Simulator) LinkStatus(sourceOrgID string) (status string, linked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[sourceOrgID]
	if !ok {
		return "", false
	}
	if s.tokens[l.Token] == nil {
		return statusNotSynced, true
	}
	return statusSynced, true
}

// LinkedAtlasOrg returns the Atlas organization a source organization is
// linked to.
func (s *Simulator) LinkedAtlasOrg(sourceOrgID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[sourceOrgID]
	if !ok {
		return "", false
	}
	return l.AtlasOrgID, true
}

// LinkCount returns how many source organizations are linked.
func (s *Simulator) LinkCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.links)
}

// IssueLinkToken creates a token as the API would, for tests that need a
// link Terraform did not make.
func (s *Simulator) IssueLinkToken(atlasOrgID string, accessListIPs ...string) string {
	if accessListIPs == nil {
		accessListIPs = []string{}
	}
	token := newTokenValue(atlasOrgID, accessListIPs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &tokenRecord{AtlasOrgID: atlasOrgID, AccessListIPs: accessListIPs, Created: s.now()}
	return token
}

// Link links a source organization with an issued token, behind the API.
func (s *Simulator) Link(sourceOrgID, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.tokens[token]
	if !ok {
		return fmt.Errorf("the token was not issued or was removed")
	}
	s.links[sourceOrgID] = &linkRecord{AtlasOrgID: rec.AtlasOrgID, Token: token}
	return nil
}

// RemoveLink unlinks a source organization behind Terraform's back.
func (s *Simulator) RemoveLink(sourceOrgID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.links[sourceOrgID]
	delete(s.links, sourceOrgID)
	return ok
}

// RemoveLinkTokens removes an Atlas organization's tokens behind Terraform's
// back, with the same effect as the API's removal.
func (s *Simulator) RemoveLinkTokens(atlasOrgID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeTokensLocked(atlasOrgID)
}

// SetActiveMigration marks migrations active in the Atlas organization, so
// removing its tokens answers 409.
func (s *Simulator) SetActiveMigration(atlasOrgID string, projectIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(projectIDs) == 0 {
		projectIDs = []string{randomString(12)}
	}
	s.activeMigrations[atlasOrgID] = projectIDs
}

// ClearActiveMigration ends the organization's active migrations.
func (s *Simulator) ClearActiveMigration(atlasOrgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.activeMigrations, atlasOrgID)
}

// SetInventory sets the projects a source organization exposes once linked.
func (s *Simulator) SetInventory(sourceOrgID string, projects []Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inventory[sourceOrgID] = projects
}

// LimitAtlasKey restricts an Atlas API key to the given organizations.
func (s *Simulator) LimitAtlasKey(publicKey string, orgIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.atlasKeys {
		if s.atlasKeys[i].PublicKey == publicKey {
			s.atlasKeys[i].OrgIDs = orgIDs
		}
	}
}

// TokenRequests returns how many requests the OAuth token endpoint received.
func (s *Simulator) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// AccessTokens returns every access token issued, for leak checks.
func (s *Simulator) AccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.bearers))
	for t := range s.bearers {
		out = append(out, t)
	}
	return out
}

// RevokeAccessTokens revokes every issued access token.
func (s *Simulator) RevokeAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bearers = map[string]*bearerRecord{}
}

// StateSummary is what the admin API reports: counts and statuses, never
// token values.
type StateSummary struct {
	LinkTokens       map[string]int      `json:"linkTokens"`
	Links            map[string]string   `json:"links"`
	ActiveMigrations map[string][]string `json:"activeMigrations"`
	TokenRequests    int                 `json:"oauthTokenRequests"`
}

// Summary returns the state without secrets.
func (s *Simulator) Summary() StateSummary {
	s.mu.Lock()
	sum := StateSummary{LinkTokens: map[string]int{}, Links: map[string]string{}, ActiveMigrations: map[string][]string{}, TokenRequests: s.tokenRequests}
	for _, rec := range s.tokens {
		sum.LinkTokens[rec.AtlasOrgID]++
	}
	sources := make([]string, 0, len(s.links))
	for org := range s.links {
		sources = append(sources, org)
	}
	for org, ids := range s.activeMigrations {
		// A list in an answer is never null, though a seed may give none.
		sum.ActiveMigrations[org] = append([]string{}, ids...)
	}
	for _, p := range s.mig.projects {
		if ids := s.activeMigrationProjectsLocked(p.OrgID); len(ids) > 0 {
			sum.ActiveMigrations[p.OrgID] = append(slices.Clone(s.activeMigrations[p.OrgID]), ids...)
		}
	}
	s.mu.Unlock()
	for _, org := range sources {
		sum.Links[org], _ = s.LinkStatus(org)
	}
	return sum
}
