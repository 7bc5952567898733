// The migration routes: which paths and methods are migration operations,
// the versions each accepts and the one a request negotiates, the project
// check every group route passes, and the dispatch to the operations.

package simulator

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

// The migration routes: the five operations of the Atlas "Cloud Migration
// Service" tag besides the link-token ones, and the project read that
// tells a project's organization.
const (
	RouteGetProject        Route = "getProject"
	RouteValidateMigration Route = "validateMigration"
	RouteGetValidation     Route = "getValidation"
	RouteCreateMigration   Route = "createMigration"
	RouteGetMigration      Route = "getMigration"
	RouteCutover           Route = "cutover"
)

// MigrationMediaType is the newer version of the validate and create
// operations; every other migration operation has only AtlasMediaType.
const MigrationMediaType = "application/vnd.atlas.2024-05-30+json"

var (
	groupPath      = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)$`)
	validatePath   = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)/liveMigrations/validate$`)
	validationPath = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)/liveMigrations/validate/([^/]+)$`)
	migrationsPath = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)/liveMigrations$`)
	migrationPath  = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)/liveMigrations/([^/]+)$`)
	cutoverPath    = regexp.MustCompile(`^/api/atlas/v2/groups/([^/]+)/liveMigrations/([^/]+)/cutover$`)
	idPattern      = regexp.MustCompile(`^[a-f0-9]{24}$`)
)

// matchMigrations maps the migration paths to their routes, in the shape of
// match.
func matchMigrations(method, path string) (endpoint, []string, bool) {
	try := func(re *regexp.Regexp, byMethod map[string]Route) (endpoint, []string, bool) {
		m := re.FindStringSubmatch(path)
		if m == nil {
			return endpoint{}, nil, false
		}
		ep := endpoint{side: sideAtlas, groupID: m[1]}
		if len(m) > 2 {
			ep.itemID = m[2]
		}
		var allowed []string
		for k := range byMethod {
			allowed = append(allowed, k)
		}
		ep.route = byMethod[method]
		return ep, allowed, true
	}
	// The more specific paths first: "validate" is not a migration id.
	for _, c := range []struct {
		re *regexp.Regexp
		m  map[string]Route
	}{
		{cutoverPath, map[string]Route{http.MethodPut: RouteCutover}},
		{validationPath, map[string]Route{http.MethodGet: RouteGetValidation}},
		{validatePath, map[string]Route{http.MethodPost: RouteValidateMigration}},
		{migrationPath, map[string]Route{http.MethodGet: RouteGetMigration}},
		{migrationsPath, map[string]Route{http.MethodPost: RouteCreateMigration}},
		{groupPath, map[string]Route{http.MethodGet: RouteGetProject}},
	} {
		if ep, allowed, ok := try(c.re, c.m); ok {
			return ep, allowed, true
		}
	}
	return endpoint{}, nil, false
}

func migrationRoute(r Route) bool {
	switch r {
	case RouteGetProject, RouteValidateMigration, RouteGetValidation, RouteCreateMigration, RouteGetMigration, RouteCutover:
		return true
	}
	return false
}

// mediaTypesFor lists the versions a route accepts, newest first: validate
// and create have 2024-05-30 and the deprecated 2023-01-01; the other
// migration operations, and every link operation, only 2023-01-01.
func mediaTypesFor(route Route) []string {
	switch route {
	case RouteValidateMigration, RouteCreateMigration:
		return []string{MigrationMediaType, AtlasMediaType}
	default:
		return []string{AtlasMediaType}
	}
}

// negotiate returns the version the Accept header asks for among those
// allowed, preferring the newest.
func negotiate(r *http.Request, allowed []string) string {
	asked := map[string]bool{}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil {
			asked[mt] = true
		}
	}
	for _, v := range allowed {
		if asked[v] {
			return v
		}
	}
	return ""
}

// resolveGroup checks the project of a group route and sets the endpoint's
// organization to the project's, so API-key organization limits apply.
func (s *Simulator) resolveGroup(w http.ResponseWriter, ep *endpoint) bool {
	if !idPattern.MatchString(ep.groupID) {
		writeError(w, http.StatusBadRequest, "INVALID_GROUP_ID",
			fmt.Sprintf("The group id %s is invalid: it must be 24 hexadecimal characters.", ep.groupID), []errorParam{param("groupId", ep.groupID)})
		return false
	}
	s.mu.Lock()
	p := s.mig.projects[ep.groupID]
	s.mu.Unlock()
	if p == nil {
		writeError(w, http.StatusNotFound, "GROUP_NOT_FOUND", fmt.Sprintf("No group with ID %s exists.", ep.groupID), []errorParam{param("groupId", ep.groupID)})
		return false
	}
	ep.orgID = p.OrgID
	return true
}

// serveMigrationOperation runs a migration route's operation.
func (s *Simulator) serveMigrationOperation(w http.ResponseWriter, r *http.Request, ep endpoint) {
	version := negotiate(r, mediaTypesFor(ep.route))
	switch ep.route {
	case RouteGetProject:
		s.getProject(w, ep.groupID)
	case RouteValidateMigration:
		s.validateMigration(w, r, ep.groupID, version)
	case RouteGetValidation:
		s.getValidation(w, ep.groupID, ep.itemID)
	case RouteCreateMigration:
		s.createMigration(w, r, ep.groupID, version)
	case RouteGetMigration:
		s.getMigration(w, ep.groupID, ep.itemID)
	case RouteCutover:
		s.cutover(w, ep.groupID, ep.itemID)
	}
}

func successType(version string) string { return version + ";charset=utf-8" }

// writeVersioned answers with the negotiated version; the deprecated
// version of validate and create carries Deprecation and Sunset headers.
func writeVersioned(w http.ResponseWriter, status int, version string, deprecated bool, v any) {
	if deprecated {
		w.Header().Set("Deprecation", "true")
		w.Header().Set("Sunset", "Thu, 01 Jul 2027 00:00:00 GMT")
	}
	writeJSON(w, status, successType(version), v)
}
