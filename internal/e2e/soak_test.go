package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// The fault soak drives a whole journey through terraform, the way a
// pipeline does, while the simulator injects a seeded, randomized schedule of
// faults; after every terraform run it checks what the provider promises.
// `make soak` runs it (SEEDS seeds from SEED, or a list of seeds); `make
// test` runs a short fixed list. It is skipped when ATLASMIG_SOAK_SEEDS is
// not set.
//
// ATLASMIG_SOAK_KEEP_GOING=1 carries on after a broken promise, as a
// pipeline that believed an exit code would, to see what else breaks.
const (
	soakSeedsEnv     = "ATLASMIG_SOAK_SEEDS"
	soakSeedEnv      = "ATLASMIG_SOAK_SEED"
	soakKeepGoingEnv = "ATLASMIG_SOAK_KEEP_GOING"
	// soakDumpEnv names a directory that receives each run's command line
	// and whole output, as <seed>-<step>-<run>.txt.
	soakDumpEnv = "ATLASMIG_SOAK_DUMP"
)

// The soak's world: one Atlas organization and project with two clusters,
// and two source organizations, each linked by its own token and migrating
// one replica set into its own cluster through its own migration host.
const (
	soakAtlasOrg = "5f1b2c3d4e5f6a7b8c9d5a00"
	soakGroup    = "65a1b2c3d4e5f6a7b8c95a00"
)

type soakPair struct {
	name, sourceOrg, project, host, deployment, cluster string
}

var soakPairs = []soakPair{
	{"a", "60a1b2c3d4e5f6a7b8c95a01", "61a1b2c3d4e5f6a7b8c95a01", "mh-a", "rs-a", "dest-a"},
	{"b", "60a1b2c3d4e5f6a7b8c95a02", "61a1b2c3d4e5f6a7b8c95a02", "mh-b", "rs-b", "dest-b"},
}

// soakConfig is the journey's configuration: per pair a token, a link and a
// migration. Migration b has cutover = true from the start; a follows
// var.cutover_a, the second wave. The timeouts bound every wait well inside
// the harness's own limit on a terraform run.
func soakConfig() string {
	var b strings.Builder
	b.WriteString(requiredProviders + `
provider "atlasmig" {}

variable "cutover_a" {
  type    = bool
  default = false
}
`)
	for _, p := range soakPairs {
		cutover := "true"
		if p.name == "a" {
			cutover = "var.cutover_a"
		}
		fmt.Fprintf(&b, `
resource "atlasmig_link_token" %[1]q {
  org_id = %[2]q
}

resource "atlasmig_migration_link" %[1]q {
  org_id     = %[3]q
  link_token = atlasmig_link_token.%[1]s.link_token
}

resource "atlasmig_live_migration" %[1]q {
  project_id = %[4]q
  source {
    project_id   = %[5]q
    cluster_name = %[6]q
  }
  destination {
    cluster_name = %[7]q
  }
  migration_host = %[8]q
  cutover        = %[9]s
  timeouts {
    create = "2m"
    update = "2m"
  }
  depends_on = [atlasmig_migration_link.%[1]s]
}
`, p.name, soakAtlasOrg, p.sourceOrg, soakGroup, p.project, p.deployment, p.cluster, p.host, cutover)
	}
	return b.String()
}

// Bounds of every loop: a step is at most soakAttempts terraform runs, the
// last soakCleanAttempts of them without faults (an API that recovered);
// a plan step is shorter. The workspace's runCode bounds each run in time.
// The longest way the diagnostics lead an operator takes three runs without
// faults: a tainted token whose removal the other pairs would not survive
// (Removal Would Break Other Links), the replacement of every token that
// Atlas refuses during a migration (Link Token In Use By An Active
// Migration, after which the operator removes the tainted token from
// state), and the apply that then succeeds (seed 851).
const (
	soakAttempts      = 8
	soakCleanAttempts = 3
	soakPlanAttempts  = 4
)

func TestSoak(t *testing.T) {
	seeds := soakSeeds(t)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			j := newSoakJourney(t, seed)
			start := time.Now()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d failed; replay it with:\n\n    make soak SEED=%d SEEDS=1\n\njourney:\n%s", seed, seed, strings.Join(j.story, "\n"))
					return
				}
				t.Logf("seed %d passed in %s: %d terraform runs, %d faults hit:\n%s", seed, time.Since(start).Round(time.Second), len(j.story), j.hits, strings.Join(j.story, "\n"))
			})
			j.run()
		})
	}
}

// soakSeeds reads the seeds to run: ATLASMIG_SOAK_SEEDS=N seeds from
// ATLASMIG_SOAK_SEED=K (default 1), or a list, ATLASMIG_SOAK_SEEDS=3,17.
func soakSeeds(t *testing.T) []int {
	t.Helper()
	v := os.Getenv(soakSeedsEnv)
	if v == "" {
		t.Skipf("the fault soak runs through make soak (or %s=N)", soakSeedsEnv)
	}
	if strings.Contains(v, ",") {
		var seeds []int
		for _, f := range strings.Split(v, ",") {
			seed, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || seed < 0 {
				t.Fatalf("%s=%q: want N or a list of seeds such as 3,17", soakSeedsEnv, v)
			}
			seeds = append(seeds, seed)
		}
		return seeds
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number of seeds, or a list of seeds such as 3,17", soakSeedsEnv, v)
	}
	first := 1
	if k := os.Getenv(soakSeedEnv); k != "" {
		if first, err = strconv.Atoi(k); err != nil || first < 0 {
			t.Fatalf("%s=%q: want a non-negative seed", soakSeedEnv, k)
		}
	}
	seeds := make([]int, n)
	for i := range seeds {
		seeds[i] = first + i
	}
	return seeds
}

// soakJourney is one seed's journey: its simulator, its workspace and
// what it has seen.
type soakJourney struct {
	t    *testing.T
	seed int
	sim  *simulator.Server
	w    *workspace
	// cutover says which migrations the configuration of the current
	// phase asks to cut over.
	cutover map[string]bool
	// tokens collects every link token the simulator ever held, for the
	// final leak scan (destroy removes them from the simulator).
	tokens map[string]bool
	// story is one line per terraform run: what ran, the faults set and
	// hit, the exit code.
	story []string
	// journalSeen is how much of the journal earlier runs covered.
	journalSeen int
	// hits counts the faults the API injected.
	hits int
	// replace holds the -replace options the operator adds to the next run,
	// as a refused removal of link tokens asks (see followInstructions).
	replace []string
	// leftBehind counts the tainted tokens the operator removed from state
	// after their creation's answer was lost: Atlas may hold each of them,
	// unused, until the organization's tokens are removed.
	leftBehind int
}

func newSoakJourney(t *testing.T, seed int) *soakJourney {
	t.Helper()
	seedState := &simulator.Seed{
		AtlasProjects: []simulator.AtlasProject{{ID: soakGroup, Name: "soak", OrgID: soakAtlasOrg}},
		Inventory:     map[string][]simulator.Project{},
	}
	for _, p := range soakPairs {
		seedState.AtlasProjects[0].Clusters = append(seedState.AtlasProjects[0].Clusters, simulator.AtlasCluster{Name: p.cluster, MongoDBVersion: "7.0.14"})
		seedState.Inventory[p.sourceOrg] = []simulator.Project{{ProjectID: p.project, Name: "project-" + p.name, MigrationHosts: []string{p.host},
			Deployments: []simulator.Deployment{{Name: p.deployment, MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0", TLSEnabled: true}}}}
	}
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		// The clock moves only with the provider's reads of validations
		// and migrations, five simulated seconds each: a migration is
		// ready after a dozen reads, whatever the machine's speed.
		Migrations: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second,
			StartAfter: 10 * time.Second, ReadyAfter: time.Minute, CutoverTime: 15 * time.Second},
		Seed: seedState,
	}, simulator.ServerOptions{})
	w := newWorkspace(t, bothSidesEnv(sim.URL, map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"}))
	w.write("main.tf", soakConfig())
	return &soakJourney{t: t, seed: seed, sim: sim, w: w, cutover: map[string]bool{"a": false, "b": true}, tokens: map[string]bool{}}
}

// run is the journey: apply until it converges, plan; cut the other
// migration over the same way, plan; destroy until it converges. Every
// step stops the journey at its first broken promise.
func (j *soakJourney) run() {
	defer j.scanSecrets()
	steps := []func() bool{
		func() bool { return j.converge(1, "apply", j.checkApplied) },
		func() bool { return j.emptyPlan(2) },
		func() bool {
			j.w.write("wave.auto.tfvars", "cutover_a = true\n")
			j.cutover["a"] = true
			return j.converge(3, "apply", j.checkApplied)
		},
		func() bool { return j.emptyPlan(4) },
		func() bool { return j.converge(5, "destroy", j.checkDestroyed) },
	}
	for _, step := range steps {
		if !step() {
			return
		}
	}
}

// converge runs apply or destroy until it exits 0, at most soakAttempts
// times, as a pipeline retries a failed run; done checks the world once it
// claims success.
func (j *soakJourney) converge(step int, command string, done func() []string) bool {
	j.t.Helper()
	for attempt := 1; attempt <= soakAttempts; attempt++ {
		faulty := attempt <= soakAttempts-soakCleanAttempts
		args := append([]string{command, "-auto-approve", "-input=false"}, j.replace...)
		j.replace = nil
		out, code, hit := j.runFaulted(step, attempt, faulty, args...)
		if d := os.Getenv(soakDumpEnv); d != "" {
			_ = os.WriteFile(fmt.Sprintf("%s/%d-%d-%d.txt", d, j.seed, step, attempt), []byte(strings.Join(args, " ")+"\n"+out), 0o644)
		}
		broken := append(j.checkAlways(), checkDiagnosis(out)...)
		if code == 0 {
			broken = append(broken, done()...)
		} else {
			broken = append(broken, j.checkFailureNamed(out, code, hit)...)
		}
		if j.report(step, attempt, command, out, broken) {
			return false
		}
		if code == 0 {
			return true
		}
		j.followInstructions(out)
	}
	j.t.Errorf("seed %d: terraform %s never converged in %d runs (the last %d without faults); the last run said:\n%s",
		j.seed, command, soakAttempts, soakCleanAttempts, errorsOf(j.lastOutput()))
	return false
}

// emptyPlan runs plan -detailed-exitcode after a converged apply: a failed
// plan (a fault) is retried, a non-empty one is a broken promise.
func (j *soakJourney) emptyPlan(step int) bool {
	j.t.Helper()
	for attempt := 1; attempt <= soakPlanAttempts; attempt++ {
		faulty := attempt <= soakPlanAttempts-soakCleanAttempts
		out, code, hit := j.runFaulted(step, attempt, faulty, "plan", "-detailed-exitcode", "-input=false")
		broken := append(j.checkAlways(), checkDiagnosis(out)...)
		switch code {
		case 0:
		case 2:
			broken = append(broken, "the plan after a converged apply is not empty:\n"+planSummary(out))
		default:
			broken = append(broken, j.checkFailureNamed(out, code, hit)...)
		}
		if j.report(step, attempt, "plan", out, broken) {
			return false
		}
		if code == 0 {
			return true
		}
	}
	j.t.Errorf("seed %d: the plan never succeeded in %d runs", j.seed, soakPlanAttempts)
	return false
}

// report records a broken promise; it returns true when there is one and
// the journey stops there.
func (j *soakJourney) report(step, attempt int, command, out string, broken []string) bool {
	j.t.Helper()
	if len(broken) == 0 {
		return false
	}
	for _, b := range broken {
		j.t.Errorf("seed %d, step %d (%s), run %d: %s", j.seed, step, command, attempt, b)
	}
	j.t.Logf("what terraform said:\n%s", errorsOf(out))
	return os.Getenv(soakKeepGoingEnv) != "1"
}

// runFaulted sets the run's fault schedule (none when !faulty), runs
// terraform, and clears what is left of it. It returns terraform's output
// and exit code, and the injected faults that no retry absorbed.
func (j *soakJourney) runFaulted(step, attempt int, faulty bool, args ...string) (string, int, []string) {
	j.t.Helper()
	var schedule []soakFault
	if faulty {
		schedule = soakSchedule(j.seed, step, attempt, args[0])
	}
	for _, f := range schedule {
		j.sim.SetFault(f.route, f.fault)
	}
	out, code := j.w.runCode(args...)
	j.sim.ClearFaults()
	for _, tok := range j.sim.AllLinkTokens() {
		j.tokens[tok] = true
	}
	hit, unabsorbed := j.faultsHit()
	j.hits += len(hit)
	var summaries []string
	for _, m := range diagnosticSummary.FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[2], "Provider development overrides") {
			summaries = append(summaries, m[1]+": "+m[2])
		}
	}
	j.story = append(j.story, fmt.Sprintf("step %d run %d: terraform %s → exit %d; faults set [%s], hit [%s], not absorbed by a retry [%s]; said [%s]",
		step, attempt, args[0], code, describeSchedule(schedule), strings.Join(hit, " "), strings.Join(unabsorbed, " "), strings.Join(summaries, "; ")))
	return out, code, unabsorbed
}

// faultsHit lists the faults the journal recorded since the last call, and
// those of them that no retry absorbed: no later authenticated request of
// the same method and path got the API's own answer.
func (j *soakJourney) faultsHit() (hit, unabsorbed []string) {
	reqs := j.sim.Requests()[j.journalSeen:]
	j.journalSeen += len(reqs)
	for i, r := range reqs {
		if r.Fault == "" {
			continue
		}
		name := string(r.Route) + ":" + r.Fault
		hit = append(hit, name)
		absorbed := slices.ContainsFunc(reqs[i+1:], func(later simulator.Request) bool {
			return later.Method == r.Method && later.Path == r.Path && later.Authenticated && later.Fault == "" && later.Status > 0
		})
		if !absorbed {
			unabsorbed = append(unabsorbed, name)
		}
	}
	return hit, unabsorbed
}

func (j *soakJourney) lastOutput() string {
	out := j.w.output.String()
	// The last run's output is what follows the last run's start; the
	// workspace keeps all of it, so show only the tail.
	const tail = 6000
	if len(out) > tail {
		out = out[len(out)-tail:]
	}
	return out
}

// followInstructions does what a failed run's diagnostics ask an operator
// to do by hand, as the person watching the pipeline would: import a
// migration whose create answer was lost (found the way the Atlas UI shows
// it), untaint what the provider says is healthy.
func (j *soakJourney) followInstructions(out string) {
	j.t.Helper()
	f := flat(out)
	if strings.Contains(f, "Live Migration May Have Been Started") {
		for _, p := range soakPairs {
			if !strings.Contains(f, "the cluster "+p.cluster) || j.stateHas("atlasmig_live_migration", p.name) {
				continue
			}
			for _, m := range j.sim.Migrations() {
				if m.DestinationCluster == p.cluster {
					_, code := j.w.runCode("import", "-input=false", "atlasmig_live_migration."+p.name, soakGroup+"/"+m.ID)
					j.story = append(j.story, fmt.Sprintf("operator: terraform import atlasmig_live_migration.%s %s/%s → exit %d", p.name, soakGroup, m.ID, code))
				}
			}
		}
	}
	if strings.Contains(f, "Removal Would Break Other Links") && strings.Contains(f, "replace all of them") {
		// A token removal the other pairs would not survive: replace
		// every token of the organization in one apply, as the refusal
		// says, so every link re-links with a new one.
		for _, p := range soakPairs {
			if j.stateHas("atlasmig_link_token", p.name) {
				j.replace = append(j.replace, "-replace=atlasmig_link_token."+p.name)
			}
		}
		j.story = append(j.story, fmt.Sprintf("operator: the next run adds %s", strings.Join(j.replace, " ")))
	}
	if strings.Contains(f, "Link Token In Use By An Active Migration") {
		// Atlas removes no token while a migration is active, so the
		// replacement of every token cannot be made: leave a tainted token
		// whose creation's answer was lost behind instead, as the refusal
		// of its replacement says.
		for name, r := range j.state() {
			if r.tainted && strings.HasPrefix(name, "atlasmig_link_token.") {
				j.w.stateRm(name)
				j.leftBehind++
				j.story = append(j.story, "operator: terraform state rm "+name)
			}
		}
	}
	untainted := map[string]bool{}
	for _, re := range []*regexp.Regexp{untaintInstruction, untaintRefusal} {
		for _, m := range re.FindAllStringSubmatch(f, -1) {
			if untainted[m[1]] {
				continue
			}
			untainted[m[1]] = true
			_, code := j.w.runCode("untaint", m[1])
			j.story = append(j.story, fmt.Sprintf("operator: terraform untaint %s → exit %d", m[1], code))
		}
	}
}

var (
	untaintInstruction = regexp.MustCompile(`terraform untaint '?(atlasmig_[a-z_]+\.[A-Za-z0-9_-]+)`)
	// untaintRefusal finds the address of a refused replacement of a
	// healthy migration in the error's "with" line, where the error says
	// to look for it.
	untaintRefusal = regexp.MustCompile(`Error: Healthy Live Migration Would Be Replaced[\s│]*with (atlasmig_[a-z_]+\.[A-Za-z0-9_-]+)`)
)

// checkAlways holds after every run, whatever its exit code: never a
// second migration into a destination, never a cutover the configuration
// did not ask for, never two cutovers of one migration.
func (j *soakJourney) checkAlways() []string {
	var broken []string
	perCluster := map[string][]string{}
	for _, m := range j.sim.Migrations() {
		perCluster[m.DestinationCluster] = append(perCluster[m.DestinationCluster], m.ID+" ("+m.Status+")")
		for _, p := range soakPairs {
			if p.cluster == m.DestinationCluster && m.CutoverRequested && !j.cutover[p.name] {
				broken = append(broken, fmt.Sprintf("migration %s into %s was cut over, but the configuration has cutover = false", m.ID, p.cluster))
			}
		}
	}
	for cluster, ids := range perCluster {
		if len(ids) > 1 {
			broken = append(broken, fmt.Sprintf("%d migrations into destination cluster %s, want one: %s", len(ids), cluster, strings.Join(ids, ", ")))
		}
	}
	accepted := map[string]int{}
	for _, r := range j.sim.Requests() {
		if r.Route == simulator.RouteCutover && r.Authenticated && (success(r.Status) || (r.Fault == "reset-after" && success(r.LostStatus))) {
			accepted[r.Path]++
		}
	}
	for path, n := range accepted {
		if n > 1 {
			broken = append(broken, fmt.Sprintf("Atlas accepted %d cutovers at %s, want one", n, path))
		}
	}
	return broken
}

func success(status int) bool { return status >= 200 && status < 300 }

// checkApplied holds when an apply exits 0: the API holds exactly what the
// configuration asks, and the state says what the API says.
func (j *soakJourney) checkApplied() []string {
	var broken []string
	st := j.state()
	stateTokens := map[string]bool{}
	for _, p := range soakPairs {
		tok, ok := st.get("atlasmig_link_token", p.name)
		switch {
		case !ok:
			broken = append(broken, "exit 0 but atlasmig_link_token."+p.name+" is not in state")
		case tok.tainted:
			broken = append(broken, "exit 0 but atlasmig_link_token."+p.name+" is tainted")
		default:
			stateTokens[tok.str("link_token")] = true
		}
		if status, linked := j.sim.LinkStatus(p.sourceOrg); !linked || status != "SYNCED" {
			broken = append(broken, fmt.Sprintf("exit 0 but source organization %s is %q (linked %t), want SYNCED", p.sourceOrg, status, linked))
		} else if org, _ := j.sim.LinkedAtlasOrg(p.sourceOrg); org != soakAtlasOrg {
			broken = append(broken, fmt.Sprintf("exit 0 but source organization %s is linked to %s", p.sourceOrg, org))
		}
		if l, ok := st.get("atlasmig_migration_link", p.name); !ok || l.tainted || l.str("status") != "SYNCED" {
			broken = append(broken, fmt.Sprintf("exit 0 but atlasmig_migration_link.%s in state is %+v", p.name, l))
		}
		broken = append(broken, j.checkMigration(st, p)...)
	}
	live := j.sim.LinkTokens(soakAtlasOrg)
	unknown := 0
	for _, tok := range live {
		if !stateTokens[tok] {
			unknown++
		}
	}
	if unknown > j.leftBehind {
		broken = append(broken, fmt.Sprintf("exit 0 but Atlas holds %d link tokens, and %d of them are not in state (orphaned API keys; the operator left %d behind)", len(live), unknown, j.leftBehind))
	}
	for tok := range stateTokens {
		if !slices.Contains(live, tok) {
			broken = append(broken, "exit 0 but a link token in state no longer exists in Atlas")
		}
	}
	return broken
}

// checkMigration compares pair p's migration in Atlas, in the configuration
// and in state.
func (j *soakJourney) checkMigration(st soakState, p soakPair) []string {
	var mig *simulator.MigrationInfo
	for _, m := range j.sim.Migrations() {
		if m.DestinationCluster == p.cluster {
			mig = &m
		}
	}
	addr := "atlasmig_live_migration." + p.name
	if mig == nil {
		return []string{"exit 0 but Atlas has no migration into " + p.cluster}
	}
	var broken []string
	if j.cutover[p.name] && mig.Status != simulator.StatusComplete {
		broken = append(broken, fmt.Sprintf("exit 0 but %s has cutover = true and Atlas reports migration %s %s (cutover requested: %t), not COMPLETE",
			addr, mig.ID, mig.Status, mig.CutoverRequested))
	}
	if !j.cutover[p.name] && mig.Status != simulator.StatusNew && mig.Status != simulator.StatusWorking {
		broken = append(broken, fmt.Sprintf("exit 0 but %s should keep syncing and Atlas reports migration %s %s", addr, mig.ID, mig.Status))
	}
	r, ok := st.get("atlasmig_live_migration", p.name)
	switch {
	case !ok:
		broken = append(broken, "exit 0 but "+addr+" is not in state")
	case r.tainted:
		broken = append(broken, "exit 0 but "+addr+" is tainted")
	case r.str("migration_id") != mig.ID:
		broken = append(broken, fmt.Sprintf("%s in state is migration %q, Atlas's is %s", addr, r.str("migration_id"), mig.ID))
	case mig.Status == simulator.StatusComplete && r.str("status") != mig.Status:
		broken = append(broken, fmt.Sprintf("%s in state is %s, Atlas reports %s", addr, r.str("status"), mig.Status))
	case mig.Status != simulator.StatusComplete && r.str("status") == simulator.StatusComplete:
		broken = append(broken, fmt.Sprintf("%s in state is COMPLETE, Atlas reports %s", addr, mig.Status))
	}
	return broken
}

// checkDestroyed holds when a destroy exits 0: nothing of the journey is
// left in state, and no token or link in the API.
func (j *soakJourney) checkDestroyed() []string {
	var broken []string
	if n := len(j.sim.LinkTokens(soakAtlasOrg)); n != 0 {
		broken = append(broken, fmt.Sprintf("destroy exited 0 and left %d link tokens in the Atlas organization", n))
	}
	for _, p := range soakPairs {
		if status, linked := j.sim.LinkStatus(p.sourceOrg); linked {
			broken = append(broken, fmt.Sprintf("destroy exited 0 and source organization %s is still linked (%s)", p.sourceOrg, status))
		}
	}
	if st := j.state(); len(st) != 0 {
		broken = append(broken, fmt.Sprintf("destroy exited 0 and left %d resources in state", len(st)))
	}
	return broken
}

// apiProblem matches words that name what went wrong with the API: a
// status code, MongoDB's error codes, a lost connection or answer.
var apiProblem = regexp.MustCompile(`\b(HTTP )?[45]\d\d\b|[A-Z]+(_[A-Z]+)+|(?i)connection|reset|answer was lost|EOF|timed? ?out|rate limit|unavailable|bad gateway`)

// checkFailureNamed holds when a run fails: it says so in an error, it was
// not killed for running too long, and when a fault was not absorbed by a
// retry (hit lists those), an error names the API's problem. A run that
// fails otherwise is judged by whether its step converges.
func (j *soakJourney) checkFailureNamed(out string, code int, hit []string) []string {
	if code < 0 {
		return []string{"terraform did not finish within the harness's time limit (killed)"}
	}
	blocks := errorBlocks(out)
	if len(blocks) == 0 {
		return []string{fmt.Sprintf("terraform exited %d without an error diagnostic", code)}
	}
	if len(hit) == 0 {
		return nil
	}
	for _, e := range blocks {
		if apiProblem.MatchString(e) {
			return nil
		}
	}
	return []string{fmt.Sprintf("the run failed after the faults %s (not absorbed by a retry), and no error names the API's problem:\n%s", strings.Join(hit, " "), strings.Join(blocks, "\n"))}
}

// checkDiagnosis holds for every run: no diagnostic, error or warning,
// blames something that is not wrong. Every answer of the soak comes from
// the API at the configured base URL, whatever fault it carries, so an
// answer reported as not coming from the API is a wrong diagnosis.
func checkDiagnosis(out string) []string {
	var broken []string
	for _, m := range foreignAnswer.FindAllString(out, -1) {
		broken = append(broken, fmt.Sprintf("a diagnostic says %q, but every answer came from the API at the configured base URL", m))
	}
	return broken
}

var foreignAnswer = regexp.MustCompile(`Unexpected Answer From (Atlas|Cloud Manager|Ops Manager|Cloud Manager / Ops Manager)`)

// diagnosticSummary is the summary line of an error or a warning.
var diagnosticSummary = regexp.MustCompile(`(?m)^(?:│ )?(Error|Warning): (.+)$`)

// diagnosticStart is where terraform's error diagnostic begins, with or
// without its box.
var diagnosticStart = regexp.MustCompile(`(?m)^(?:│ )?Error: `)

// errorBlocks returns each "Error: ..." diagnostic of terraform's output,
// flattened onto one line.
func errorBlocks(out string) []string {
	var blocks []string
	for _, part := range diagnosticStart.Split(out, -1)[1:] {
		if end := strings.Index(part, "Warning: "); end >= 0 {
			part = part[:end]
		}
		blocks = append(blocks, strings.TrimSpace(strings.ReplaceAll(flat(part), "│", "")))
	}
	return blocks
}

// errorsOf keeps terraform's diagnostics, from the first one on, for a
// report: what it said went wrong, and what it claimed at the end.
func errorsOf(out string) string {
	if i := diagnosticAny.FindStringIndex(out); i != nil {
		out = out[i[0]:]
	}
	const limit = 4000
	if len(out) > limit {
		out = out[:limit/2] + "\n[...]\n" + out[len(out)-limit/2:]
	}
	return out
}

var diagnosticAny = regexp.MustCompile(`(?m)^(?:│ )?(?:Error|Warning): `)

// planSummary keeps the lines of a plan that say what would change.
func planSummary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Warning: Provider development overrides") {
			continue
		}
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "~") || strings.HasPrefix(t, "Plan:") || strings.HasPrefix(t, "Warning:") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// scanSecrets searches everything terraform printed and its TRACE log for
// the credentials and every link token the journey made.
func (j *soakJourney) scanSecrets() {
	secrets := map[string]string{atlasPriv: "the Atlas private key", omPriv: "the Ops Manager private key"}
	for tok := range j.tokens {
		secrets[tok] = "a link token"
	}
	log := j.w.read("terraform.log")
	if !strings.Contains(log, "API request") {
		j.t.Error("the TRACE log holds no API entries: the leak scan would prove nothing")
	}
	reportLeaks(j.t, secretscan.Find("terraform.log", log, secrets))
	reportLeaks(j.t, secretscan.Find("terraform output", j.w.output.String(), secrets))
}

// soakResource is one resource instance of the state file.
type soakResource struct {
	tainted bool
	attrs   map[string]any
}

func (r soakResource) str(name string) string {
	s, _ := r.attrs[name].(string)
	return s
}

// soakState maps "type.name" to the instance.
type soakState map[string]soakResource

func (s soakState) get(typ, name string) (soakResource, bool) {
	r, ok := s[typ+"."+name]
	return r, ok
}

func (j *soakJourney) stateHas(typ, name string) bool {
	_, ok := j.state().get(typ, name)
	return ok
}

func (j *soakJourney) state() soakState {
	j.t.Helper()
	out := soakState{}
	b, err := os.ReadFile(j.w.dir + "/terraform.tfstate")
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		j.t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		j.t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			out[r.Type+"."+r.Name] = soakResource{tainted: in.Status == "tainted", attrs: in.Attributes}
		}
	}
	return out
}

// soakFault is one fault of a schedule.
type soakFault struct {
	route simulator.Route
	fault simulator.Fault
}

// soakRoutes are the routes each command calls; soakWrites those whose answer
// can be lost after the API acted.
var (
	soakRoutes = map[string][]simulator.Route{
		"apply": {
			simulator.RouteCreateLinkToken, simulator.RouteDeleteLinkTokens, simulator.RouteAvailableProjects,
			simulator.RouteLink, simulator.RouteLinkStatus, simulator.RouteUnlink,
			simulator.RouteGetProject, simulator.RouteValidateMigration, simulator.RouteGetValidation,
			simulator.RouteCreateMigration, simulator.RouteGetMigration, simulator.RouteCutover,
		},
		"plan": {simulator.RouteAvailableProjects, simulator.RouteLinkStatus, simulator.RouteGetProject, simulator.RouteGetMigration},
		"destroy": {
			simulator.RouteDeleteLinkTokens, simulator.RouteUnlink, simulator.RouteAvailableProjects,
			simulator.RouteLinkStatus, simulator.RouteGetProject, simulator.RouteGetMigration,
		},
	}
	soakWrites = []simulator.Route{
		simulator.RouteCreateLinkToken, simulator.RouteDeleteLinkTokens, simulator.RouteLink, simulator.RouteUnlink,
		simulator.RouteValidateMigration, simulator.RouteCreateMigration, simulator.RouteCutover,
	}
	// soakMaxSkip is how far into a run a route's fault can land: routes
	// polled in waits are called many times per run.
	soakMaxSkip = map[simulator.Route]int{
		simulator.RouteGetMigration: 12, simulator.RouteLinkStatus: 3, simulator.RouteAvailableProjects: 2,
		simulator.RouteGetProject: 2, simulator.RouteGetValidation: 2,
	}
)

// soakSchedule is the fault schedule of one run: a function of the seed,
// the step and the run alone, so that a seed replays the same schedule
// whatever the earlier runs did.
func soakSchedule(seed, step, attempt int, command string) []soakFault {
	rng := rand.New(rand.NewChaCha8(sha256.Sum256(fmt.Appendf(nil, "atlasmig soak %d/%d/%d", seed, step, attempt))))
	routes := slices.Clone(soakRoutes[command])
	rng.Shuffle(len(routes), func(i, k int) { routes[i], routes[k] = routes[k], routes[i] })
	n := 1 + rng.IntN(min(4, len(routes)))
	schedule := make([]soakFault, 0, n)
	for _, route := range routes[:n] {
		f := simulator.Fault{Count: 1 + rng.IntN(2), Skip: rng.IntN(soakMaxSkip[route] + 1)}
		switch kind := rng.IntN(12); {
		case kind < 3:
			f.Status, f.RetryAfter, f.Count = 429, strconv.Itoa(1+rng.IntN(2)), 1+rng.IntN(3)
		case kind < 5:
			f.Status, f.ErrorCode = 500, "UNEXPECTED_ERROR"
		case kind < 7:
			f.Status = []int{502, 503, 504}[rng.IntN(3)]
			if f.Status == 503 && rng.IntN(2) == 0 {
				f.RetryAfter = "1"
			}
		case kind < 9:
			f.ResetBeforeProcessing = true
		case kind < 11:
			if slices.Contains(soakWrites, route) {
				f.ResetAfterProcessing, f.Count = true, 1
			} else {
				f.ResetBeforeProcessing = true
			}
		default:
			f.Latency = time.Duration(50+rng.IntN(250)) * time.Millisecond
		}
		// A quarter of the refusals and resets hit the digest challenge
		// leg instead of the authenticated request.
		if !f.ResetAfterProcessing && f.Latency == 0 && rng.IntN(4) == 0 {
			f.Challenge = true
		}
		schedule = append(schedule, soakFault{route: route, fault: f})
	}
	return schedule
}

// describeSchedule writes a schedule in the -fault syntax of atlasmig-sim.
func describeSchedule(schedule []soakFault) string {
	parts := make([]string, 0, len(schedule))
	for _, sf := range schedule {
		f := sf.fault
		kind := strconv.Itoa(f.Status)
		switch {
		case f.ResetBeforeProcessing:
			kind = "reset-before"
		case f.ResetAfterProcessing:
			kind = "reset-after"
		case f.Latency > 0:
			parts = append(parts, fmt.Sprintf("%s:latency,latency=%s", sf.route, f.Latency))
			continue
		}
		s := fmt.Sprintf("%s:%sx%d", sf.route, kind, f.Count)
		if f.RetryAfter != "" {
			s += ",retry-after=" + f.RetryAfter
		}
		if f.Skip > 0 {
			s += ",skip=" + strconv.Itoa(f.Skip)
		}
		if f.Challenge {
			s += ",challenge"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
