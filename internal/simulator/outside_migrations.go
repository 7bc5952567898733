package simulator

import (
	"fmt"
	"slices"
)

// outsideMigration is a live migration of a source organization that was
// started outside the program under test: in the Atlas UI, with the Atlas
// CLI or from another workspace. The simulator knows it only by its source
// organization and its destination Atlas project.
type outsideMigration struct {
	atlasOrgID     string
	atlasProjectID string
	// broken is set when the source organization was unlinked, or its
	// tokens removed, while the migration was active.
	broken bool
}

// StartMigrationOutsideTerraform starts a live migration of a source
// organization into an Atlas project, as someone would in the Atlas UI. While
// it is active, removing the link tokens of the Atlas organization the source
// organization is linked to answers 409
// CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK naming the project,
// as the API does, even after the source organization was unlinked: the
// migration runs in Atlas. The source organization must be linked.
func (s *Simulator) StartMigrationOutsideTerraform(sourceOrgID, atlasProjectID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.links[sourceOrgID]
	if l == nil || s.tokens[l.Token] == nil {
		return fmt.Errorf("source organization %s is not linked: a live migration needs a SYNCED link", sourceOrgID)
	}
	if s.outside == nil {
		s.outside = map[string]*outsideMigration{}
	}
	s.outside[sourceOrgID] = &outsideMigration{atlasOrgID: l.AtlasOrgID, atlasProjectID: atlasProjectID}
	return nil
}

// EndMigrationOutsideTerraform ends it (a cutover, or an expiry).
func (s *Simulator) EndMigrationOutsideTerraform(sourceOrgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.outside, sourceOrgID)
}

// OutsideMigrationBroken reports whether the source organization of a
// migration started outside Terraform was unlinked, or lost its token, while
// the migration was active.
func (s *Simulator) OutsideMigrationBroken(sourceOrgID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.outside[sourceOrgID]
	if m == nil {
		return false
	}
	l := s.links[sourceOrgID]
	return m.broken || l == nil || s.tokens[l.Token] == nil
}

// outsideMigrationProjectsLocked lists the Atlas projects of the active
// outside migrations into the Atlas organization.
func (s *Simulator) outsideMigrationProjectsLocked(atlasOrgID string) []string {
	var out []string
	for _, m := range s.outside {
		if m.atlasOrgID == atlasOrgID && !slices.Contains(out, m.atlasProjectID) {
			out = append(out, m.atlasProjectID)
		}
	}
	slices.Sort(out)
	return out
}

// breakOutsideMigrationLocked records that a source organization with an
// active outside migration was unlinked.
func (s *Simulator) breakOutsideMigrationLocked(sourceOrgID string) {
	if m := s.outside[sourceOrgID]; m != nil {
		m.broken = true
	}
}
