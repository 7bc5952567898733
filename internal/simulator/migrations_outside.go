// Migrations a team starts or cuts over outside Terraform (the Atlas UI, the
// CLI, another workspace), through the Go API and the control API: the same
// checks as the API's create, and the same model afterwards.

package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
)

// OutsideMigration is a migration a team starts outside Terraform (the
// Atlas UI, the CLI, another workspace): the same checks as the API's
// create apply, and the migration is journaled like any other.
type OutsideMigration struct {
	GroupID            string `json:"groupId"`
	SourceGroupID      string `json:"sourceGroupId"`
	SourceCluster      string `json:"sourceClusterName"`
	DestinationCluster string `json:"destinationClusterName"`
	MigrationHost      string `json:"migrationHost"`
	// SSL is the source's TLS setting (default true).
	SSL *bool `json:"ssl,omitempty"`
}

// StartMigration starts a migration as the Atlas UI does, outside any
// Terraform configuration, and returns its id. It refuses what the API's
// create refuses (an unknown project, a source the links do not expose, a
// busy migration host).
func (s *Simulator) StartMigration(o OutsideMigration) (string, error) {
	managed, ssl := true, true
	if o.SSL != nil {
		ssl = *o.SSL
	}
	body := &migrationRequest{MigrationHosts: []string{o.MigrationHost}}
	body.Source = &migrationSource{ClusterName: o.SourceCluster, GroupID: o.SourceGroupID, ManagedAuthentication: &managed, SSL: &ssl}
	body.Destination = &migrationDestination{ClusterName: o.DestinationCluster, GroupID: o.GroupID, HostnameSchemaType: "PUBLIC"}

	s.mu.Lock()
	defer s.mu.Unlock()
	project := s.mig.projects[o.GroupID]
	if project == nil {
		return "", fmt.Errorf("no Atlas project %s", o.GroupID)
	}
	if o.MigrationHost == "" {
		return "", fmt.Errorf("a migration host is required")
	}
	if failure := s.checkMigrationLocked(o.GroupID, body); failure != "" {
		return "", fmt.Errorf("%s", failure)
	}
	rec := &migrationRecord{
		id: randomString(12), groupID: o.GroupID, orgID: project.OrgID, sourceGroupID: o.SourceGroupID,
		sourceCluster: o.SourceCluster, destCluster: o.DestinationCluster, host: o.MigrationHost,
		mediaType: MigrationMediaType, created: s.mig.now(),
	}
	s.mig.migrations[rec.id] = rec
	s.mig.order = append(s.mig.order, rec.id)
	return rec.id, nil
}

// CutoverMigration cuts a migration over as the Atlas UI's button does,
// outside Terraform: it must be ready for cutover.
func (s *Simulator) CutoverMigration(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.mig.migrations[id]
	if rec == nil {
		return fmt.Errorf("no migration %s", id)
	}
	now := s.mig.now()
	if info := s.mig.info(rec, now); !info.ReadyForCutover {
		return fmt.Errorf("migration %s is not ready for cutover (status %s)", id, info.Status)
	}
	rec.cutoverAt = &now
	return nil
}

var adminOutsideCutover = regexp.MustCompile(`^/_sim/migrations/([a-f0-9]{24})/cutover$`)

// serveOutsideMigrationAdmin is the control API of the migrations made
// outside Terraform:
//
//	POST /_sim/migrations                 start one (OutsideMigration) → {"id": "..."}
//	POST /_sim/migrations/{id}/cutover    cut one over, as the Atlas UI does
//
// It reports whether it handled the request.
func (s *Simulator) serveOutsideMigrationAdmin(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch path := r.URL.Path; {
	case path == "/_sim/migrations":
		var o OutsideMigration
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
				`The body must be {"groupId", "sourceGroupId", "sourceClusterName", "destinationClusterName", "migrationHost", "ssl"}.`, nil)
			return true
		}
		id, err := s.StartMigration(o)
		if err != nil {
			writeError(w, http.StatusConflict, "CONFLICT", err.Error()+".", nil)
			return true
		}
		writeJSON(w, http.StatusCreated, jsonType, map[string]string{"id": id})
	case adminOutsideCutover.MatchString(path):
		if err := s.CutoverMigration(adminOutsideCutover.FindStringSubmatch(path)[1]); err != nil {
			writeError(w, http.StatusConflict, "CONFLICT", err.Error()+".", nil)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return false
	}
	return true
}
