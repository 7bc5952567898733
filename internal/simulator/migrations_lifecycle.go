// The migration model: the simulated clock, the durations of a migration's
// journey, and the status and lag each migration derives from the clock (NEW,
// WORKING, ready for cutover, COMPLETE, EXPIRED or FAILED on demand), with the
// Go API tests use to drive and inspect it.

package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

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
