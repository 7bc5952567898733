// The destination side of a migration: the Atlas projects (groups) and their
// clusters, seeded or added through the Go and control APIs, and the project
// read that tells a project's organization.

package simulator

import (
	"net/http"
	"slices"
	"sort"
	"time"
)

// AtlasProject is a destination Atlas project (a group) and its clusters.
type AtlasProject struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	OrgID    string         `json:"orgId"`
	Clusters []AtlasCluster `json:"clusters,omitempty"`
}

// AtlasCluster is a destination cluster.
type AtlasCluster struct {
	Name           string `json:"name"`
	MongoDBVersion string `json:"mongoDBVersion"`
	Sharded        bool   `json:"sharded,omitempty"`
}

// AddAtlasProject adds (or replaces) a destination project.
func (s *Simulator) AddAtlasProject(p AtlasProject) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := p
	cp.Clusters = slices.Clone(p.Clusters)
	s.mig.projects[p.ID] = &cp
}

// AtlasProjects returns the destination projects, by id.
func (s *Simulator) AtlasProjects() []AtlasProject {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AtlasProject, 0, len(s.mig.projects))
	for _, p := range s.mig.projects {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Simulator) getProject(w http.ResponseWriter, groupID string) {
	s.mu.Lock()
	p := *s.mig.projects[groupID]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, atlasSuccessType, map[string]any{
		"id": p.ID, "name": p.Name, "orgId": p.OrgID, "clusterCount": len(p.Clusters),
		"created": s.mig.epoch.UTC().Format(time.RFC3339), "links": []any{},
	})
}

func validAtlasProjects(ps []AtlasProject) bool {
	for _, p := range ps {
		if !idPattern.MatchString(p.ID) || !idPattern.MatchString(p.OrgID) {
			return false
		}
	}
	return true
}
