package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
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

// The statuses of validations and migrations.
const (
	StatusPending  = "PENDING"
	StatusSuccess  = "SUCCESS"
	StatusFailed   = "FAILED"
	StatusNew      = "NEW"
	StatusWorking  = "WORKING"
	StatusComplete = "COMPLETE"
	StatusExpired  = "EXPIRED"
)

// MigrationOptions sets the durations of the migration journey, in
// simulated time. Zero values take the defaults.
type MigrationOptions struct {
	// ValidationTime is how long a validation stays PENDING (default 2 s).
	ValidationTime time.Duration
	// StartAfter is how long a new migration stays NEW (default a quarter
	// of ReadyAfter).
	StartAfter time.Duration
	// ReadyAfter is how long after creation readyForCutover becomes true
	// (default 20 s).
	ReadyAfter time.Duration
	// CutoverTime is how long a migration stays WORKING after its cutover
	// before it is COMPLETE (default 5 s).
	CutoverTime time.Duration
	// CutoverWindow is how long a ready migration waits for its cutover
	// before it is EXPIRED (default 120 h, as documented).
	CutoverWindow time.Duration
	// InitialLag is lagTimeSeconds when copying starts; it falls linearly
	// to a few seconds at readiness (default 1 h).
	InitialLag time.Duration

	// ClockSpeed is how many simulated seconds pass per real second
	// (default 1). FrozenClock stops the clock: it then moves only when
	// advanced, through AdvanceClock or the control API.
	ClockSpeed  float64
	FrozenClock bool
	// TickPerRead advances the clock by this much on every authenticated
	// read of a validation or a migration, so a test drives the journey
	// with its own polling and never sleeps.
	TickPerRead time.Duration

	// CutoverStatus is the success status of PUT cutover: the
	// specification says 202, a maintainer reported 204, old
	// documentation shows 200 (default 202).
	CutoverStatus int
}

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

// MigrationInfo is what the control API and tests see of a migration: never
// a password, only whether one was sent.
type MigrationInfo struct {
	ID                 string    `json:"id"`
	GroupID            string    `json:"groupId"`
	SourceGroupID      string    `json:"sourceGroupId"`
	SourceCluster      string    `json:"sourceClusterName"`
	DestinationCluster string    `json:"destinationClusterName"`
	MigrationHost      string    `json:"migrationHost"`
	Status             string    `json:"status"`
	ReadyForCutover    bool      `json:"readyForCutover"`
	LagTimeSeconds     *int64    `json:"lagTimeSeconds,omitempty"`
	PasswordSent       bool      `json:"passwordSent"`
	Created            time.Time `json:"created"`
	ReadyAt            time.Time `json:"readyAt"`
	CutoverRequested   bool      `json:"cutoverRequested"`
	// CutoverAt is when the cutover was requested, in simulated time.
	CutoverAt *time.Time `json:"cutoverAt,omitempty"`
	MediaType string     `json:"mediaType"`
}

type validationRecord struct {
	id, groupID, sourceGroupID string
	created                    time.Time
	failure                    string
}

type migrationRecord struct {
	id, groupID, orgID, sourceGroupID string
	sourceCluster, destCluster, host  string
	passwordSent                      bool
	mediaType                         string
	created                           time.Time
	cutoverAt                         *time.Time
	forced                            string // FAILED or EXPIRED on demand
}

// migrationState is the simulator's migration model; it is guarded by the
// simulator's mutex.
type migrationState struct {
	opts        MigrationOptions
	projects    map[string]*AtlasProject
	validations map[string]*validationRecord
	migrations  map[string]*migrationRecord
	order       []string // migration ids, oldest first

	// The simulated clock: epoch + offset + real time since realStart ×
	// speed.
	epoch     time.Time
	realStart time.Time
	offset    time.Duration
	speed     float64
}

func newMigrationState(o MigrationOptions) *migrationState {
	if o.ValidationTime <= 0 {
		o.ValidationTime = 2 * time.Second
	}
	if o.ReadyAfter <= 0 {
		o.ReadyAfter = 20 * time.Second
	}
	if o.StartAfter <= 0 {
		o.StartAfter = o.ReadyAfter / 4
	}
	if o.StartAfter > o.ReadyAfter {
		o.StartAfter = o.ReadyAfter
	}
	if o.CutoverTime <= 0 {
		o.CutoverTime = 5 * time.Second
	}
	if o.CutoverWindow <= 0 {
		o.CutoverWindow = 120 * time.Hour
	}
	if o.InitialLag <= 0 {
		o.InitialLag = time.Hour
	}
	if o.CutoverStatus == 0 {
		o.CutoverStatus = http.StatusAccepted
	}
	speed := o.ClockSpeed
	if speed <= 0 {
		speed = 1
	}
	if o.FrozenClock {
		speed = 0
	}
	now := time.Now()
	return &migrationState{
		opts:        o,
		projects:    map[string]*AtlasProject{},
		validations: map[string]*validationRecord{},
		migrations:  map[string]*migrationRecord{},
		epoch:       now,
		realStart:   now,
		speed:       speed,
	}
}

func (m *migrationState) now() time.Time {
	elapsed := time.Since(m.realStart)
	return m.epoch.Add(m.offset + time.Duration(float64(elapsed)*m.speed))
}

// Now returns the simulated time.
func (s *Simulator) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mig.now()
}

// AdvanceClock moves the simulated clock forward.
func (s *Simulator) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > 0 {
		s.mig.offset += d
	}
}

// SetClockSpeed sets how many simulated seconds pass per real second; 0
// freezes the clock.
func (s *Simulator) SetClockSpeed(speed float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mig
	now := time.Now()
	m.offset += time.Duration(float64(now.Sub(m.realStart)) * m.speed)
	m.realStart = now
	m.speed = max(speed, 0)
}

// UpdateMigrationOptions changes the migration durations of a running
// simulator; they apply to every migration, existing ones included.
func (s *Simulator) UpdateMigrationOptions(change func(*MigrationOptions)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(&s.mig.opts)
}

// SetTickPerRead sets how far every read of a validation or migration
// advances the clock.
func (s *Simulator) SetTickPerRead(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mig.opts.TickPerRead = max(d, 0)
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

// Migrations returns every migration, oldest first.
func (s *Simulator) Migrations() []MigrationInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.mig.now()
	out := make([]MigrationInfo, 0, len(s.mig.order))
	for _, id := range s.mig.order {
		out = append(out, s.mig.info(s.mig.migrations[id], now))
	}
	return out
}

// Migration returns one migration.
func (s *Simulator) Migration(id string) (MigrationInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.mig.migrations[id]
	if rec == nil {
		return MigrationInfo{}, false
	}
	return s.mig.info(rec, s.mig.now()), true
}

// FailMigration makes an active migration FAILED, as Atlas does on an
// error it reports only by email.
func (s *Simulator) FailMigration(id string) error { return s.force(id, StatusFailed) }

// ExpireMigration makes an active migration EXPIRED, as if its cutover
// window had lapsed.
func (s *Simulator) ExpireMigration(id string) error { return s.force(id, StatusExpired) }

// ForgetMigration drops a migration's record, as Atlas may after an
// undocumented time: reading it then answers 404.
func (s *Simulator) ForgetMigration(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mig.migrations[id] == nil {
		return false
	}
	delete(s.mig.migrations, id)
	s.mig.order = slices.DeleteFunc(s.mig.order, func(x string) bool { return x == id })
	return true
}

func (s *Simulator) force(id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.mig.migrations[id]
	if rec == nil {
		return fmt.Errorf("no migration %s", id)
	}
	if st := s.mig.status(rec, s.mig.now()); !activeStatus(st) {
		return fmt.Errorf("migration %s is %s, not active", id, st)
	}
	rec.forced = status
	return nil
}

// readyAt is when a migration becomes ready for cutover.
func (m *migrationState) readyAt(rec *migrationRecord) time.Time {
	return rec.created.Add(m.opts.ReadyAfter)
}

// status derives a migration's status from the clock.
func (m *migrationState) status(rec *migrationRecord, now time.Time) string {
	switch {
	case rec.forced != "":
		return rec.forced
	case rec.cutoverAt != nil && !now.Before(rec.cutoverAt.Add(m.opts.CutoverTime)):
		return StatusComplete
	case rec.cutoverAt != nil:
		return StatusWorking
	case !now.Before(m.readyAt(rec).Add(m.opts.CutoverWindow)):
		return StatusExpired
	case now.Before(rec.created.Add(m.opts.StartAfter)):
		return StatusNew
	default:
		return StatusWorking
	}
}

func activeStatus(status string) bool { return status == StatusNew || status == StatusWorking }

func (m *migrationState) info(rec *migrationRecord, now time.Time) MigrationInfo {
	status := m.status(rec, now)
	ready := status == StatusWorking && rec.cutoverAt == nil && !now.Before(m.readyAt(rec))
	info := MigrationInfo{
		ID: rec.id, GroupID: rec.groupID, SourceGroupID: rec.sourceGroupID,
		SourceCluster: rec.sourceCluster, DestinationCluster: rec.destCluster, MigrationHost: rec.host,
		Status: status, ReadyForCutover: ready, PasswordSent: rec.passwordSent,
		Created: rec.created, ReadyAt: m.readyAt(rec), CutoverRequested: rec.cutoverAt != nil, CutoverAt: rec.cutoverAt, MediaType: rec.mediaType,
	}
	// The lag is reported while the migration copies and tails the oplog,
	// before its cutover: it falls linearly to a few seconds at readiness.
	if status == StatusWorking && rec.cutoverAt == nil {
		var lag int64 = 2
		if !ready {
			copyStart := rec.created.Add(m.opts.StartAfter)
			span := m.readyAt(rec).Sub(copyStart)
			left := m.readyAt(rec).Sub(now)
			if span > 0 {
				lag = 5 + int64(float64(m.opts.InitialLag.Seconds())*float64(left)/float64(span))
			}
		}
		info.LagTimeSeconds = &lag
	}
	return info
}

// activeMigrationProjectsLocked lists the Atlas projects of an organization
// that have an active migration.
func (s *Simulator) activeMigrationProjectsLocked(orgID string) []string {
	now := s.mig.now()
	var out []string
	for _, id := range s.mig.order {
		rec := s.mig.migrations[id]
		if rec.orgID == orgID && activeStatus(s.mig.status(rec, now)) && !slices.Contains(out, rec.groupID) {
			out = append(out, rec.groupID)
		}
	}
	return out
}

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
			fmt.Sprintf("The group id %s is invalid: it must be 24 hexadecimal characters.", ep.groupID), []any{ep.groupID})
		return false
	}
	s.mu.Lock()
	p := s.mig.projects[ep.groupID]
	s.mu.Unlock()
	if p == nil {
		writeError(w, http.StatusNotFound, "GROUP_NOT_FOUND", fmt.Sprintf("No group with ID %s exists.", ep.groupID), []any{ep.groupID})
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

func (s *Simulator) getProject(w http.ResponseWriter, groupID string) {
	s.mu.Lock()
	p := *s.mig.projects[groupID]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, atlasSuccessType, map[string]any{
		"id": p.ID, "name": p.Name, "orgId": p.OrgID, "clusterCount": len(p.Clusters),
		"created": s.mig.epoch.UTC().Format(time.RFC3339), "links": []any{},
	})
}

// migrationRequest is the body of validate and create. Pointers tell a
// missing field from a zero one.
type migrationRequest struct {
	Source              *migrationSource      `json:"source"`
	Destination         *migrationDestination `json:"destination"`
	MigrationHosts      []string              `json:"migrationHosts"`
	DropDestinationData *bool                 `json:"dropDestinationData,omitempty"`
	DropEnabled         *bool                 `json:"dropEnabled,omitempty"`
	Sharding            *struct {
		CreateSupportingIndexes *bool `json:"createSupportingIndexes"`
		ShardingEntries         []struct {
			Database        string `json:"database"`
			Collection      string `json:"collection"`
			ShardCollection struct {
				Key []map[string]any `json:"key"`
			} `json:"shardCollection"`
		} `json:"shardingEntries"`
	} `json:"sharding,omitempty"`
}

// migrationSource and migrationDestination are the source and destination
// of a validate or create body.
type migrationSource struct {
	ClusterName           string `json:"clusterName"`
	GroupID               string `json:"groupId"`
	ManagedAuthentication *bool  `json:"managedAuthentication"`
	SSL                   *bool  `json:"ssl"`
	CACertificatePath     string `json:"caCertificatePath,omitempty"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
}

type migrationDestination struct {
	ClusterName        string `json:"clusterName"`
	GroupID            string `json:"groupId"`
	HostnameSchemaType string `json:"hostnameSchemaType"`
	PrivateLinkID      string `json:"privateLinkId,omitempty"`
}

// decodeMigrationRequest reads and checks a body the way the API's schema
// does, answering 400 with the field at fault. The password is never put
// into an answer.
func decodeMigrationRequest(w http.ResponseWriter, r *http.Request, groupID, version string) (*migrationRequest, bool) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var body migrationRequest
	bad := func(field, description string) (*migrationRequest, bool) {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid attribute %s: %s.", field, description), []any{field},
			fieldError{Field: field, Description: description})
		return nil, false
	}
	if err := dec.Decode(&body); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "unknown field "); i >= 0 {
			return bad(strings.Trim(msg[i+len("unknown field "):], `"`), "is not an attribute of this version of the resource")
		}
		return bad("body", "must be a JSON object of this resource")
	}
	switch {
	case body.Source == nil:
		return bad("source", "is required")
	case body.Source.ClusterName == "":
		return bad("source.clusterName", "is required")
	case !idPattern.MatchString(body.Source.GroupID):
		return bad("source.groupId", "must be 24 hexadecimal characters")
	case body.Source.ManagedAuthentication == nil:
		return bad("source.managedAuthentication", "is required")
	case body.Source.SSL == nil:
		return bad("source.ssl", "is required")
	case *body.Source.ManagedAuthentication && (body.Source.Username != "" || body.Source.Password != ""):
		return bad("source.managedAuthentication", "must be false when a username or password is given")
	case body.Destination == nil:
		return bad("destination", "is required")
	case body.Destination.ClusterName == "":
		return bad("destination.clusterName", "is required")
	case body.Destination.GroupID != groupID:
		return bad("destination.groupId", "must be the group id of the request path")
	case !slices.Contains([]string{"PUBLIC", "PRIVATE_LINK", "VPC_PEERING"}, body.Destination.HostnameSchemaType):
		return bad("destination.hostnameSchemaType", "must be one of PUBLIC, PRIVATE_LINK, VPC_PEERING")
	case body.Destination.PrivateLinkID != "" && body.Destination.HostnameSchemaType != "PRIVATE_LINK":
		return bad("destination.privateLinkId", "is allowed only with hostnameSchemaType PRIVATE_LINK")
	case len(body.MigrationHosts) != 1 || strings.TrimSpace(body.MigrationHosts[0]) == "":
		return bad("migrationHosts", "must hold exactly one migration host")
	case version == MigrationMediaType && body.DropEnabled != nil:
		return bad("dropEnabled", "is not an attribute of version 2024-05-30; use dropDestinationData")
	case version == AtlasMediaType && body.DropDestinationData != nil:
		return bad("dropDestinationData", "is not an attribute of version 2023-01-01; use dropEnabled")
	case version == AtlasMediaType && body.DropEnabled == nil:
		return bad("dropEnabled", "is required")
	}
	if sh := body.Sharding; sh != nil {
		if sh.CreateSupportingIndexes == nil {
			return bad("sharding.createSupportingIndexes", "is required")
		}
		for i, e := range sh.ShardingEntries {
			if e.Database == "" || e.Collection == "" || len(e.ShardCollection.Key) == 0 {
				return bad(fmt.Sprintf("sharding.shardingEntries[%d]", i), "needs a database, a collection and a non-empty shardCollection.key")
			}
			for _, k := range e.ShardCollection.Key {
				if len(k) != 1 {
					return bad(fmt.Sprintf("sharding.shardingEntries[%d].shardCollection.key", i), `each element must be {"<field>": 1}`)
				}
			}
		}
	}
	return &body, true
}

// checkMigrationLocked applies the rules Atlas's validation checks and that
// the APIs expose, and returns the first that fails, in words a user can
// act on, or "".
func (s *Simulator) checkMigrationLocked(groupID string, body *migrationRequest) string {
	project := s.mig.projects[groupID]
	src, dst := body.Source, body.Destination
	host := body.MigrationHosts[0]

	// The source project must be visible through a SYNCED link of the
	// destination project's organization.
	var source *Project
	for org, l := range s.links {
		if l.AtlasOrgID != project.OrgID || s.tokens[l.Token] == nil {
			continue
		}
		for i := range s.inventory[org] {
			if s.inventory[org][i].ProjectID == src.GroupID {
				source = &s.inventory[org][i]
			}
		}
	}
	if source == nil {
		return fmt.Sprintf("Source project %s is not available to Atlas organization %s: no SYNCED live migration link of that organization exposes it. Link the source organization with a link token of this organization.", src.GroupID, project.OrgID)
	}
	if !slices.Contains(source.MigrationHosts, host) {
		return fmt.Sprintf("Migration host %s is not a migration host of source project %s (its migration hosts: %s).", host, src.GroupID, listOrNone(source.MigrationHosts))
	}
	var deployment *Deployment
	var names []string
	for i := range source.Deployments {
		names = append(names, source.Deployments[i].Name)
		if source.Deployments[i].Name == src.ClusterName {
			deployment = &source.Deployments[i]
		}
	}
	if deployment == nil {
		return fmt.Sprintf("Source cluster %s was not found in source project %s (its deployments: %s).", src.ClusterName, src.GroupID, listOrNone(names))
	}
	var cluster *AtlasCluster
	names = nil
	for i := range project.Clusters {
		names = append(names, project.Clusters[i].Name)
		if project.Clusters[i].Name == dst.ClusterName {
			cluster = &project.Clusters[i]
		}
	}
	if cluster == nil {
		return fmt.Sprintf("Destination cluster %s was not found in Atlas project %s (its clusters: %s).", dst.ClusterName, groupID, listOrNone(names))
	}
	if *src.SSL != deployment.TLSEnabled {
		return fmt.Sprintf("The migration host could not connect to source cluster %s: ssl is %t but the cluster has TLS %s.", src.ClusterName, *src.SSL, map[bool]string{true: "enabled", false: "disabled"}[deployment.TLSEnabled])
	}
	if !*src.ManagedAuthentication && (src.Username == "" || src.Password == "") {
		return fmt.Sprintf("Source cluster %s is not accessed with automation-managed authentication, so a username and a password are required.", src.ClusterName)
	}
	if a, b := releaseSeries(deployment.MongoDBVersion), releaseSeries(cluster.MongoDBVersion); a != b {
		return fmt.Sprintf("Source cluster %s runs MongoDB %s and destination cluster %s runs MongoDB %s: both must be on the same release series.", src.ClusterName, deployment.MongoDBVersion, dst.ClusterName, cluster.MongoDBVersion)
	}
	if deployment.Sharded && !cluster.Sharded {
		return fmt.Sprintf("Source cluster %s is sharded and destination cluster %s is a replica set: migrating a sharded cluster to a replica set is not supported.", src.ClusterName, dst.ClusterName)
	}
	if body.Sharding != nil && (deployment.Sharded || !cluster.Sharded) {
		return "Sharding options apply only to a migration from a replica set to a sharded cluster."
	}
	now := s.mig.now()
	for _, id := range s.mig.order {
		rec := s.mig.migrations[id]
		if rec.host == host && activeStatus(s.mig.status(rec, now)) {
			return fmt.Sprintf("Migration host %s is busy with another active live migration (to Atlas project %s). A migration host serves one migration at a time.", host, rec.groupID)
		}
	}
	return ""
}

func listOrNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

// releaseSeries returns major.minor of a MongoDB version.
func releaseSeries(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

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
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find the live migration validation %s in group %s.", id, groupID), []any{id})
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
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find the live migration %s in group %s.", id, groupID), []any{id})
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
		writeError(w, http.StatusConflict, "LIVE_MIGRATION_NOT_READY_FOR_CUTOVER", fmt.Sprintf("Cannot cut over live migration %s: %s.", id, why), []any{id})
		return
	}
	rec.cutoverAt = &now
	status := s.mig.opts.CutoverStatus
	s.mu.Unlock()
	w.WriteHeader(status)
}

func validAtlasProjects(ps []AtlasProject) bool {
	for _, p := range ps {
		if !idPattern.MatchString(p.ID) || !idPattern.MatchString(p.OrgID) {
			return false
		}
	}
	return true
}

var adminMigrationAction = regexp.MustCompile(`^/_sim/migrations/([a-f0-9]{24})/(fail|expire|forget)$`)

// serveMigrationAdmin is the control API of the migration model:
//
//	GET  /_sim/clock                      {"now": RFC 3339, "speed": n, "tickPerRead": "1m0s"}
//	POST /_sim/clock                      {"advance": "2h", "speed": 3600, "tickPerRead": "1m"} (each optional)
//	GET  /_sim/migrations                 every migration (MigrationInfo), never a password
//	GET  /_sim/atlas-projects             the destination projects
//	POST /_sim/migrations/{id}/fail       make an active migration FAILED
//	POST /_sim/migrations/{id}/expire     make an active migration EXPIRED
//	POST /_sim/migrations/{id}/forget     drop the record: reads answer 404
//
// and those of serveOutsideMigrationAdmin. It reports whether it handled the request.
func (s *Simulator) serveMigrationAdmin(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/_sim/clock":
		s.writeClock(w)
	case r.Method == http.MethodPost && path == "/_sim/clock":
		var body struct {
			Advance     string   `json:"advance"`
			Speed       *float64 `json:"speed"`
			TickPerRead *string  `json:"tickPerRead"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", `The body must be {"advance": "<duration>", "speed": <number>, "tickPerRead": "<duration>"}.`, nil)
			return true
		}
		if body.Advance != "" {
			d, err := time.ParseDuration(body.Advance)
			if err != nil || d < 0 {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "advance must be a non-negative Go duration such as 90m or 121h.", nil)
				return true
			}
			s.AdvanceClock(d)
		}
		if body.Speed != nil {
			s.SetClockSpeed(*body.Speed)
		}
		if body.TickPerRead != nil {
			d, err := time.ParseDuration(*body.TickPerRead)
			if err != nil || d < 0 {
				writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "tickPerRead must be a non-negative Go duration such as 1m.", nil)
				return true
			}
			s.SetTickPerRead(d)
		}
		s.writeClock(w)
	case r.Method == http.MethodGet && path == "/_sim/migrations":
		writeJSON(w, http.StatusOK, jsonType, s.Migrations())
	case r.Method == http.MethodGet && path == "/_sim/atlas-projects":
		writeJSON(w, http.StatusOK, jsonType, s.AtlasProjects())
	case r.Method == http.MethodPost && adminMigrationAction.MatchString(path):
		m := adminMigrationAction.FindStringSubmatch(path)
		var err error
		switch m[2] {
		case "fail":
			err = s.FailMigration(m[1])
		case "expire":
			err = s.ExpireMigration(m[1])
		default:
			if !s.ForgetMigration(m[1]) {
				err = fmt.Errorf("no migration %s", m[1])
			}
		}
		if err != nil {
			writeError(w, http.StatusConflict, "CONFLICT", err.Error()+".", nil)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return s.serveOutsideMigrationAdmin(w, r)
	}
	return true
}

func (s *Simulator) writeClock(w http.ResponseWriter) {
	s.mu.Lock()
	body := map[string]any{"now": s.mig.now().UTC().Format(time.RFC3339Nano), "speed": s.mig.speed, "tickPerRead": s.mig.opts.TickPerRead.String()}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, jsonType, body)
}
