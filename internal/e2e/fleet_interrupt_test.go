package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// fleetMember is one deployment of the interrupted fleet: where it comes
// from, where it goes, and the group that says when it is created and
// whether its key is in var.cutover during the interrupted apply.
type fleetMember struct {
	project, deployment string // source project name and deployment
	atlasProject        string // destination Atlas project id
	cluster, host       string
	group               string // "A1" created first, "A2" 500 h later, "B" in the interrupted apply
	cut                 bool   // in var.cutover from the interrupted apply on
}

func (m fleetMember) key() string { return m.project + "/" + m.deployment }

func (m fleetMember) address() string {
	return `atlasmig_live_migration.fleet["` + m.key() + `"]`
}

// interruptedFleet is eight deployments of two source organizations: those
// of examples/fleet and two more in each source project.
var interruptedFleet = []fleetMember{
	{"payments", "payments-rs", "65a1b2c3d4e5f6a7b8c9d0e1", "payments", "mh-1.payments.example.internal", "A1", true},
	{"catalog", "catalog-rs", "65a1b2c3d4e5f6a7b8c9d0e2", "catalog", "mh-1.catalog.example.internal", "A1", true},
	{"payments", "ledger-rs", "65a1b2c3d4e5f6a7b8c9d0e1", "ledger", "mh-2.payments.example.internal", "A1", false},
	{"catalog", "search-rs", "65a1b2c3d4e5f6a7b8c9d0e2", "search", "mh-2.catalog.example.internal", "A2", true},
	{"payments", "invoices-rs", "65a1b2c3d4e5f6a7b8c9d0e1", "invoices", "mh-3.payments.example.internal", "A2", false},
	{"payments", "refunds-rs", "65a1b2c3d4e5f6a7b8c9d0e1", "refunds", "mh-4.payments.example.internal", "B", true},
	{"catalog", "reviews-rs", "65a1b2c3d4e5f6a7b8c9d0e2", "reviews", "mh-3.catalog.example.internal", "B", true},
	{"catalog", "media-rs", "65a1b2c3d4e5f6a7b8c9d0e2", "media", "mh-4.catalog.example.internal", "B", false},
}

// interruptedFleetSeed is examples/fleet's simulator-state.json with the
// extra deployments, their migration hosts and destination clusters.
func interruptedFleetSeed(t *testing.T) *simulator.Seed {
	t.Helper()
	seed, err := simulator.LoadSeed(filepath.Join(fleetExampleDir(t), "simulator-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range interruptedFleet {
		for org, projects := range seed.Inventory {
			for i, p := range projects {
				if p.Name != m.project {
					continue
				}
				if !slices.ContainsFunc(p.Deployments, func(d simulator.Deployment) bool { return d.Name == m.deployment }) {
					p.Deployments = append(p.Deployments, simulator.Deployment{Name: m.deployment, MongoDBVersion: "7.0.14",
						FeatureCompatibilityVersion: "7.0", Managed: true, TLSEnabled: true})
				}
				if !slices.Contains(p.MigrationHosts, m.host) {
					p.MigrationHosts = append(p.MigrationHosts, m.host)
				}
				seed.Inventory[org][i] = p
			}
		}
		for i, p := range seed.AtlasProjects {
			if p.ID == m.atlasProject && !slices.ContainsFunc(p.Clusters, func(c simulator.AtlasCluster) bool { return c.Name == m.cluster }) {
				seed.AtlasProjects[i].Clusters = append(p.Clusters, simulator.AtlasCluster{Name: m.cluster, MongoDBVersion: "7.0.15"})
			}
		}
	}
	return seed
}

// fleetTFVars writes var.fleet with the members of the given groups and
// var.cutover with the members to cut over.
func fleetTFVars(t *testing.T, w *workspace, groups string, cut bool) {
	t.Helper()
	fleet, cutover := map[string]any{}, map[string]bool{}
	for _, m := range interruptedFleet {
		if !strings.Contains(groups, m.group) {
			continue
		}
		fleet[m.key()] = map[string]string{"atlas_project_id": m.atlasProject, "destination_cluster": m.cluster, "migration_host": m.host}
		if cut && m.cut {
			cutover[m.key()] = true
		}
	}
	b, err := json.Marshal(map[string]any{"fleet": fleet, "cutover": cutover})
	if err != nil {
		t.Fatal(err)
	}
	w.write("fleet.auto.tfvars.json", string(b))
}

// TestCtrlCDuringAFleetsWaitsKeepsEveryMigration applies examples/fleet,
// unchanged, to eight deployments of two source organizations and presses
// Ctrl-C during an apply that, at once, cuts over two ready migrations
// (they wait for COMPLETE), cuts over one that is not ready yet (it waits
// for readiness) and starts three new ones, two of them with cutover =
// true (they wait to leave NEW). Every migration Atlas created is in state,
// untainted, with Atlas's id; the next plan only continues; the next apply
// creates nothing, sends each planned cutover once in all, and cuts over
// nothing else.
//
// The simulator's clock moves only with the provider's reads (five
// simulated seconds each) and with the test's own jumps, so each group's
// place in its journey is fixed when Ctrl-C is sent: a new migration stays
// NEW for 1,000 simulated hours, readiness comes 2,000 hours after the
// creation and a cutover takes 100,000 hours to complete, until the test
// says otherwise.
func TestCtrlCDuringAFleetsWaitsKeepsEveryMigration(t *testing.T) {
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		Migrations: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second, StartAfter: 30 * time.Second,
			ReadyAfter: 2000 * time.Hour, CutoverTime: 100000 * time.Hour, CutoverWindow: 1000000 * time.Hour},
		Seed: interruptedFleetSeed(t),
	}, simulator.ServerOptions{})
	w := newWorkspace(t, bothSidesEnv(sim.URL, map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"}))
	writeFleetExample(t, w)
	members := func(keep func(fleetMember) bool) []fleetMember {
		var out []fleetMember
		for _, m := range interruptedFleet {
			if keep(m) {
				out = append(out, m)
			}
		}
		return out
	}
	byCluster := func() map[string]simulator.MigrationInfo {
		out := map[string]simulator.MigrationInfo{}
		for _, m := range sim.Migrations() {
			out[m.SourceCluster] = m
		}
		return out
	}
	// sent counts the cutover requests of each migration in the journal,
	// accepted or not; accepted reports whether every one was accepted.
	sent := func() (out map[string]int, accepted bool) {
		out, accepted = map[string]int{}, true
		for _, r := range sim.Requests() {
			if r.Route == simulator.RouteCutover && r.Authenticated {
				out[filepath.Base(filepath.Dir(r.Path))]++
				accepted = accepted && r.Status >= 200 && r.Status < 300
			}
		}
		return out, accepted
	}

	// The links, then the groups A1 and A2 started 500 simulated hours
	// apart, none cut over.
	fleetTFVars(t, w, "A1", false)
	w.run(true, "apply", "-auto-approve", "-input=false")
	w.run(true, "apply", "-auto-approve", "-input=false")
	sim.AdvanceClock(500 * time.Hour)
	fleetTFVars(t, w, "A1 A2", false)
	w.run(true, "apply", "-auto-approve", "-input=false")
	// A1 is ready, A2 is copying; what is started from now on stays NEW.
	sim.AdvanceClock(1600 * time.Hour)
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter = 1000 * time.Hour })
	before := byCluster()
	if len(before) != 5 {
		t.Fatalf("%d migrations before the interrupted apply, want 5", len(before))
	}
	for _, m := range members(func(m fleetMember) bool { return m.group != "B" }) {
		got := before[m.deployment]
		if got.Status != simulator.StatusWorking || got.ReadyForCutover != (m.group == "A1") || got.CutoverRequested {
			t.Fatalf("before the interrupted apply, %s is %+v", m.key(), got)
		}
	}

	// The interrupted apply: B is started, the wave of five is planned.
	fleetTFVars(t, w, "A1 A2 B", true)
	sim.ResetJournal()
	inWait := func(id string, after int, journal []simulator.Request) bool {
		for _, r := range journal[after:] {
			if r.Route == simulator.RouteGetMigration && r.Authenticated && strings.HasSuffix(r.Path, "/"+id) {
				return true
			}
		}
		return false
	}
	out, code := w.runInterrupted(func() bool {
		now := byCluster()
		if len(now) != len(interruptedFleet) {
			return false
		}
		journal := sim.Requests()
		firstCreate := slices.IndexFunc(journal, func(r simulator.Request) bool {
			return r.Route == simulator.RouteCreateMigration && r.Authenticated
		})
		if firstCreate < 0 {
			return false
		}
		for _, m := range interruptedFleet {
			got := now[m.deployment]
			switch {
			case m.group == "A1" && m.cut && !got.CutoverRequested:
				return false
			// Read again after the apply began starting migrations: the
			// waits for readiness and for the start are under way.
			case (m.group == "A2" && m.cut) || m.group == "B":
				if !inWait(got.ID, firstCreate, journal) {
					return false
				}
			}
		}
		return true
	}, "apply", "-auto-approve", "-input=false")
	if code == 0 {
		t.Fatalf("the interrupted apply succeeded:\n%s", out)
	}
	// Each kind of wait was under way, and each kept its migration.
	mustSay(t, out, "Interrupt received", "to complete after its cutover: Terraform was interrupted",
		"to be ready for cutover (the cutover was not requested): Terraform was interrupted",
		"to start: Terraform was interrupted", "terraform untaint")
	mustNotSay(t, out, "Cannot Reach Atlas", "Live Migration May Have Been Started")
	after := byCluster()
	if len(after) != len(interruptedFleet) {
		t.Fatalf("%d migrations after the interrupted apply, want %d", len(after), len(interruptedFleet))
	}
	for _, m := range interruptedFleet {
		got := after[m.deployment]
		wantStatus := simulator.StatusWorking
		if m.group == "B" {
			wantStatus = simulator.StatusNew
		}
		if got.Status != wantStatus || got.CutoverRequested != (m.group == "A1" && m.cut) {
			t.Errorf("after Ctrl-C, %s is %s with cutover requested %t", m.key(), got.Status, got.CutoverRequested)
		}
		if m.group != "B" && got.ID != before[m.deployment].ID {
			t.Errorf("%s is migration %s after Ctrl-C, %s before", m.key(), got.ID, before[m.deployment].ID)
		}
	}
	if n := sim.Calls(simulator.RouteCreateMigration); n != 3 {
		t.Errorf("the interrupted apply sent %d creations, want the three of group B", n)
	}
	cutovers, ok := sent()
	for _, m := range interruptedFleet {
		if want := m.group == "A1" && m.cut; (cutovers[after[m.deployment].ID] == 1) != want || !ok {
			t.Errorf("the interrupted apply sent %d cutovers of %s (all accepted: %t)", cutovers[after[m.deployment].ID], m.key(), ok)
		}
	}

	// Terraform's state holds every migration Atlas created, with its id;
	// those whose create was interrupted (group B) are tainted.
	list := strings.Fields(w.stateList())
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Type    string         `json:"type"`
					Tainted bool           `json:"tainted"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(w.run(true, "show", "-json")), &state); err != nil {
		t.Fatal(err)
	}
	inState := map[string]string{}
	createdNow := map[string]bool{}
	for _, m := range members(func(m fleetMember) bool { return m.group == "B" }) {
		createdNow[m.address()] = true
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Type != "atlasmig_live_migration" {
			continue
		}
		if r.Tainted != createdNow[r.Address] {
			t.Errorf("%s is tainted %t after Ctrl-C", r.Address, r.Tainted)
		}
		id, _ := r.Values["migration_id"].(string)
		inState[r.Address] = id
	}
	for _, m := range interruptedFleet {
		if !slices.Contains(list, m.address()) {
			t.Errorf("terraform state list does not list %s", m.address())
		}
		if id := inState[m.address()]; id != after[m.deployment].ID {
			t.Errorf("%s has migration_id %q in state, Atlas created %s", m.address(), id, after[m.deployment].ID)
		}
	}
	if len(inState) != len(interruptedFleet) {
		t.Errorf("%d migrations in state, want %d: %v", len(inState), len(interruptedFleet), inState)
	}

	// The next plan refuses to replace the three healthy migrations whose
	// create was interrupted; once untainted, it creates and replaces
	// nothing: it continues the cutovers and the starts that were
	// interrupted, and nothing else.
	refused := w.run(false, "plan", "-input=false")
	if n := strings.Count(refused, "Error: Healthy Live Migration Would Be Replaced"); n != len(createdNow) {
		t.Errorf("the plan after Ctrl-C refuses %d replacements, want %d:\n%s", n, len(createdNow), refused)
	}
	for address := range createdNow {
		w.run(true, "untaint", address)
	}
	var updated []string
	actions, text := planActions(t, w, "continue.tfplan")
	mustSay(t, text, "Plan: 0 to add, 6 to change, 0 to destroy.", "Live Migration Cutover Still Completing", "Live Migration Still Starting",
		"was created with cutover = true, and the apply that created it stopped before the cutover")
	mustNotSay(t, text, "must be replaced", "Live Migration Failed")
	for address, actions := range actions {
		switch actions {
		case "no-op", "read":
		case "update":
			updated = append(updated, address)
		default:
			t.Errorf("the plan after Ctrl-C would %s %s", actions, address)
		}
	}
	var continuing []string
	for _, m := range members(func(m fleetMember) bool { return m.cut || m.group == "B" }) {
		continuing = append(continuing, m.address())
	}
	sort.Strings(updated)
	sort.Strings(continuing)
	if !slices.Equal(updated, continuing) {
		t.Errorf("the plan after Ctrl-C updates %v, want %v", updated, continuing)
	}

	// Atlas moves on: the new migrations are ready, and the cutovers
	// complete. The next apply finishes the journey.
	sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.CutoverTime = 30 * time.Second })
	sim.AdvanceClock(2000 * time.Hour)
	sim.ResetJournal()
	w.run(true, "apply", "-input=false", "continue.tfplan")
	if n := sim.Calls(simulator.RouteCreateMigration) + sim.Calls(simulator.RouteValidateMigration); n != 0 {
		t.Errorf("the apply after Ctrl-C sent %d validations and creations", n)
	}
	more, ok := sent()
	if !ok {
		t.Errorf("Atlas refused a cutover of the continued apply: %v", more)
	}
	for id, n := range more {
		cutovers[id] += n
	}
	final := byCluster()
	if len(final) != len(interruptedFleet) {
		t.Fatalf("%d migrations in Atlas after the continued apply, want %d", len(final), len(interruptedFleet))
	}
	for _, m := range interruptedFleet {
		got := final[m.deployment]
		want, wantCutovers := simulator.StatusWorking, 0
		if m.cut {
			want, wantCutovers = simulator.StatusComplete, 1
		}
		if got.Status != want || got.CutoverRequested != m.cut || cutovers[got.ID] != wantCutovers {
			t.Errorf("%s: %s, cutover requested %t, %d cutovers accepted; want %s and %d", m.key(), got.Status, got.CutoverRequested, cutovers[got.ID], want, wantCutovers)
		}
	}
	if len(cutovers) != len(members(func(m fleetMember) bool { return m.cut })) {
		t.Errorf("cutovers accepted: %v", cutovers)
	}
	actions, _ = planActions(t, w, "final.tfplan")
	for address, actions := range actions {
		if actions != "no-op" && actions != "read" {
			t.Errorf("the plan after the continued apply would %s %s", actions, address)
		}
	}
}

// stateList runs terraform state list (a subcommand: the harness's run puts
// -no-color after the first word).
func (w *workspace) stateList() string {
	w.t.Helper()
	cmd := exec.Command(terraformPath(), "state", "list")
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("terraform state list: %v\n%s", err, out)
	}
	return string(out)
}

// planActions plans into file and returns the actions of each resource
// change, such as "update" or "delete,create", by address, and what the
// plan printed.
func planActions(t *testing.T, w *workspace, file string) (map[string]string, string) {
	t.Helper()
	text := w.run(true, "plan", "-input=false", "-out="+file)
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(w.run(true, "show", "-json", file)), &plan); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, rc := range plan.ResourceChanges {
		out[rc.Address] = strings.Join(rc.Change.Actions, ",")
	}
	return out, text
}
