// The HTTP operations of a migration: validate and read a validation,
// create and read a migration, and request its cutover.

package simulator

import (
	"fmt"
	"net/http"
	"strings"
)

func (s *Simulator) validateMigration(w http.ResponseWriter, r *http.Request, groupID, version string) {
	body, ok := decodeMigrationRequest(w, r, groupID, version)
	if !ok {
		return
	}
	s.mu.Lock()
	rec := &validationRecord{id: randomString(12), groupID: groupID, sourceGroupID: body.Source.GroupID, created: s.mig.now()}
	rec.failure = s.checkMigrationLocked(groupID, body)
	s.mig.validations[rec.id] = rec
	out := s.validationBodyLocked(rec)
	s.mu.Unlock()
	writeVersioned(w, http.StatusOK, version, version == AtlasMediaType, out)
}

func (s *Simulator) validationBodyLocked(rec *validationRecord) map[string]any {
	status := StatusPending
	var msg any
	if !s.mig.now().Before(rec.created.Add(s.mig.opts.ValidationTime)) {
		status = StatusSuccess
		if rec.failure != "" {
			status, msg = StatusFailed, rec.failure
		}
	}
	return map[string]any{"_id": rec.id, "groupId": rec.groupID, "sourceGroupId": rec.sourceGroupID, "status": status, "errorMessage": msg}
}

func (s *Simulator) getValidation(w http.ResponseWriter, groupID, id string) {
	s.mu.Lock()
	rec := s.mig.validations[id]
	if rec == nil || rec.groupID != groupID {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find the live migration validation %s in group %s.", id, groupID), []errorParam{param("validationId", id)})
		return
	}
	s.mig.offset += s.mig.opts.TickPerRead
	out := s.validationBodyLocked(rec)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, atlasSuccessType, out)
}

// createMigration re-checks the rules (whether Atlas requires an earlier
// validation is undocumented; this simulator does not, but refuses what a
// validation would fail) and starts the migration. The refusal's status
// is undocumented: 400 here, and 409 for a busy migration host.
func (s *Simulator) createMigration(w http.ResponseWriter, r *http.Request, groupID, version string) {
	body, ok := decodeMigrationRequest(w, r, groupID, version)
	if !ok {
		return
	}
	s.mu.Lock()
	if failure := s.checkMigrationLocked(groupID, body); failure != "" {
		s.mu.Unlock()
		status, code := http.StatusBadRequest, "LIVE_MIGRATION_INVALID"
		if strings.Contains(failure, "is busy") {
			status, code = http.StatusConflict, "LIVE_MIGRATION_HOST_BUSY"
		}
		writeError(w, status, code, failure, nil)
		return
	}
	rec := &migrationRecord{
		id: randomString(12), groupID: groupID, orgID: s.mig.projects[groupID].OrgID, sourceGroupID: body.Source.GroupID,
		sourceCluster: body.Source.ClusterName, destCluster: body.Destination.ClusterName, host: body.MigrationHosts[0],
		passwordSent: body.Source.Password != "", mediaType: version, created: s.mig.now(),
	}
	s.mig.migrations[rec.id] = rec
	s.mig.order = append(s.mig.order, rec.id)
	out := migrationBody(s.mig.info(rec, rec.created))
	s.mu.Unlock()
	writeVersioned(w, http.StatusCreated, version, version == AtlasMediaType, out)
}

// migrationBody is the documented answer: nothing but these five fields.
func migrationBody(info MigrationInfo) map[string]any {
	out := map[string]any{
		"_id": info.ID, "status": info.Status, "readyForCutover": info.ReadyForCutover,
		"migrationHosts": []string{info.MigrationHost},
	}
	if info.LagTimeSeconds != nil {
		out["lagTimeSeconds"] = *info.LagTimeSeconds
	}
	return out
}

func (s *Simulator) lookupMigrationLocked(w http.ResponseWriter, groupID, id string) *migrationRecord {
	rec := s.mig.migrations[id]
	if rec == nil || rec.groupID != groupID {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find the live migration %s in group %s.", id, groupID), []errorParam{param("liveMigrationId", id)})
		return nil
	}
	return rec
}

func (s *Simulator) getMigration(w http.ResponseWriter, groupID, id string) {
	s.mu.Lock()
	rec := s.lookupMigrationLocked(w, groupID, id)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	s.mig.offset += s.mig.opts.TickPerRead
	out := migrationBody(s.mig.info(rec, s.mig.now()))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, atlasSuccessType, out)
}

// cutover starts the cutover of a migration that is ready for it. The
// status of a refusal (not ready, already cut over, no longer active) is
// undocumented: this simulator answers 409.
func (s *Simulator) cutover(w http.ResponseWriter, groupID, id string) {
	s.mu.Lock()
	rec := s.lookupMigrationLocked(w, groupID, id)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	now := s.mig.now()
	info := s.mig.info(rec, now)
	if !info.ReadyForCutover {
		s.mu.Unlock()
		why := "it is not ready for cutover yet"
		switch {
		case rec.cutoverAt != nil:
			why = "its cutover has already been requested"
		case !activeStatus(info.Status):
			why = "it is " + info.Status
		}
		writeError(w, http.StatusConflict, "LIVE_MIGRATION_NOT_READY_FOR_CUTOVER", fmt.Sprintf("Cannot cut over live migration %s: %s.", id, why), []errorParam{param("liveMigrationId", id)})
		return
	}
	rec.cutoverAt = &now
	status := s.mig.opts.CutoverStatus
	s.mu.Unlock()
	w.WriteHeader(status)
}
