package simulator

import (
	"encoding/json"
	"net/http"
	"regexp"
)

var (
	adminLinkRemove  = regexp.MustCompile(`^/_sim/links/([a-f0-9]{24})/remove$`)
	adminTokenRemove = regexp.MustCompile(`^/_sim/tokens/([a-f0-9]{24})/remove$`)
)

// serveAdmin is the unauthenticated control API under /_sim/, for users
// outside the Go process (the demo, the benchmark, pipelines). It is neither
// journaled nor rate limited, and it never returns token values.
//
//	GET  /_sim/state                   counts and statuses (StateSummary)
//	GET  /_sim/requests                journal counts (JournalSummary)
//	POST /_sim/reset-journal           forget the journal
//	POST /_sim/faults                  {"route": "link", "fault": Fault}
//	POST /_sim/links/{orgId}/remove    unlink behind the API
//	POST /_sim/tokens/{orgId}/remove   remove an Atlas organization's tokens
//	POST /_sim/inventory               {"orgId": "...", "projects": [Project]}
//	                                   and/or {"atlasProjects": [AtlasProject]}
//
// and the migration controls of serveMigrationAdmin.
func (s *Simulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if s.serveMigrationAdmin(w, r) {
		return
	}
	path := r.URL.Path
	get := r.Method == http.MethodGet
	post := r.Method == http.MethodPost
	switch {
	case get && path == "/_sim/state":
		writeJSON(w, http.StatusOK, jsonType, s.Summary())
	case get && path == "/_sim/requests":
		writeJSON(w, http.StatusOK, jsonType, s.JournalSummary())
	case post && path == "/_sim/reset-journal":
		s.ResetJournal()
		w.WriteHeader(http.StatusNoContent)
	case post && path == "/_sim/faults":
		var body struct {
			Route Route `json:"route"`
			Fault Fault `json:"fault"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !knownRoute(body.Route) {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The body must be {\"route\": <known route>, \"fault\": {...}}.", nil)
			return
		}
		s.SetFault(body.Route, body.Fault)
		w.WriteHeader(http.StatusNoContent)
	case post && adminLinkRemove.MatchString(path):
		if !s.RemoveLink(adminLinkRemove.FindStringSubmatch(path)[1]) {
			writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The organization has no link.", nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case post && adminTokenRemove.MatchString(path):
		if s.RemoveLinkTokens(adminTokenRemove.FindStringSubmatch(path)[1]) == 0 {
			writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The organization has no link token.", nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case post && path == "/_sim/inventory":
		var body struct {
			OrgID         string         `json:"orgId"`
			Projects      []Project      `json:"projects"`
			AtlasProjects []AtlasProject `json:"atlasProjects"`
		}
		err := json.NewDecoder(r.Body).Decode(&body)
		if err != nil || (!orgIDPattern.MatchString(body.OrgID) && (body.OrgID != "" || len(body.AtlasProjects) == 0)) || !validAtlasProjects(body.AtlasProjects) {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The body must be {\"orgId\": <24 hex>, \"projects\": [...]} and/or {\"atlasProjects\": [{\"id\": <24 hex>, \"orgId\": <24 hex>, ...}]}.", nil)
			return
		}
		if body.OrgID != "" {
			s.SetInventory(body.OrgID, body.Projects)
		}
		for _, p := range body.AtlasProjects {
			s.AddAtlasProject(p)
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "Unknown simulator control endpoint.", nil)
	}
}
