package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

const (
	migGroup      = "65a1b2c3d4e5f6a7b8c9d0e1"
	migSource     = "64f0e1d2c3b4a5968778695a"
	woPassword    = "wo-source-passw0rd-5a6b7c8d"
	statePassword = "state-source-passw0rd-9e8f7a6b"
)

// TestSourcePasswordsStayOutOfLogsPlanAndState migrates two deployments
// under TF_LOG=TRACE, one with a write-only password and one with a stored
// (sensitive) password, both cut over in the same apply, and searches the
// saved plan, the state, the log and the output.
func TestSourcePasswordsStayOutOfLogsPlanAndState(t *testing.T) {
	if bin, err := tfcli.Identify(terraformPath()); err != nil {
		t.Fatal(err)
	} else if !bin.WriteOnly() {
		t.Skipf("write-only arguments need Terraform or OpenTofu 1.11 or later; this is %s", bin)
	}
	sim, env := linkedShop(t, shop{clusters: []string{"orders", "ledger"}, hosts: []string{"mh-1", "mh-2"}, deployments: []string{"orders-rs", "ledger-rs"},
		opts: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second}},
		map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000", "TF_VAR_source_password": woPassword, "TF_VAR_stored_password": statePassword})
	w := newWorkspace(t, env)
	migration := func(name, cluster, dest, host, password string) string {
		return fmt.Sprintf(`
resource "atlasmig_live_migration" %q {
  project_id = %q
  source {
    project_id             = %q
    cluster_name           = %q
    managed_authentication = false
    username               = "migrator"
%s
  }
  destination {
    cluster_name = %q
  }
  migration_host = %q
  cutover        = true
}
`, name, migGroup, migSource, cluster, password, dest, host)
	}
	w.write("main.tf", requiredProviders+`
provider "atlasmig" {}

variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "stored_password" {
  type      = string
  sensitive = true
}
`+migration("wo", "orders-rs", "orders", "mh-1", "    password_wo = var.source_password\n    password_wo_version = 1")+
		migration("stored", "ledger-rs", "ledger", "mh-2", "    password = var.stored_password"))
	w.run(true, "plan", "-input=false", "-out=tfplan")
	planJSON := w.run(true, "show", "-json", "tfplan")
	w.run(true, "apply", "-input=false", "tfplan")
	migrations := sim.Migrations()
	if len(migrations) != 2 {
		t.Fatalf("%d migrations", len(migrations))
	}
	for _, m := range migrations {
		if !m.PasswordSent || m.Status != "COMPLETE" {
			t.Fatalf("migration %+v", m)
		}
	}
	log := w.read("terraform.log")
	if !strings.Contains(log, "API request body") || !strings.Contains(log, `\"password\":\"***\"`) {
		t.Fatal("the TRACE log holds no masked migration body: the scan would prove nothing")
	}
	both := map[string]string{woPassword: "the write-only source password", statePassword: "the stored source password", atlasPriv: "the Atlas private key"}
	reportLeaks(t, secretscan.Find("terraform.log", log, both))
	// terraform show -json prints sensitive (not write-only) values by
	// design: the stored password is only looked for in what terraform
	// printed otherwise.
	reportLeaks(t, secretscan.Find("terraform output", strings.Replace(w.output.String(), planJSON, "", 1), both))
	wo := map[string]string{woPassword: "the write-only source password"}
	reportLeaks(t, secretscan.Find("saved plan", w.read("tfplan")+planJSON, wo))
	reportLeaks(t, secretscan.Find("terraform.tfstate", w.read("terraform.tfstate"), wo))
	w.run(true, "destroy", "-auto-approve", "-input=false")
}

// TestPlanWarnsAboutAMigrationThatCannotWorkAndOnlyReads plans migrations
// with a wrong host, a wrong cluster, and an Ops Manager source on 7.0,
// and checks terraform's diagnostics (errors for what is sure to fail, a
// warning for the Ops Manager source) and that the plan sent only reads.
func TestPlanWarnsAboutAMigrationThatCannotWorkAndOnlyReads(t *testing.T) {
	sim, env := linkedShop(t, shop{clusters: []string{"orders"}, hosts: []string{"mh-1", "mh-2"}, deployments: []string{"orders-rs"}}, map[string]string{
		// An Ops Manager source: never contacted by a migration, which
		// lives in Atlas, but it decides the 6.0+ warning.
		"MCLI_OPS_MANAGER_URL": "https://opsmanager.example.com:8443", "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
	})
	w := newWorkspace(t, env)
	migration := func(name, cluster, host string) string {
		return fmt.Sprintf(`
resource "atlasmig_live_migration" %q {
  project_id = %q
  source {
    project_id   = %q
    cluster_name = %q
  }
  destination {
    cluster_name = "orders"
  }
  migration_host = %q
}
`, name, migGroup, migSource, cluster, host)
	}
	w.write("main.tf", requiredProviders+`
provider "atlasmig" {}
`+migration("host", "orders-rs", "mh-9")+migration("cluster", "nope-rs", "mh-1")+migration("opsmanager", "orders-rs", "mh-2"))
	sim.ResetJournal()
	// -json: terraform prints each diagnostic, where its human output
	// folds similar warnings together.
	// The source project is visible through a SYNCED link: a host or a
	// cluster it does not list is sure to fail, an error at plan.
	out := w.run(false, "plan", "-input=false", "-json")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		`"severity":"error","summary":"Live Migration Cannot Work"`,
		"Migration host mh-9 is not a migration host of source project " + migSource + " (its migration hosts: mh-1, mh-2).",
		"Source cluster nope-rs is not a deployment of source project " + migSource + " (its deployments: orders-rs).",
		`"summary":"Ops Manager Source Not Supported"`,
		"push live migration from Ops Manager is not supported for MongoDB 6.0 and later",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("the plan sent %s %s", r.Method, r.Path)
		}
	}
	if sim.Calls(simulator.RouteGetProject) == 0 {
		t.Fatal("the plan checked nothing")
	}
}

// TestExpiredMigrationPlansAReplacementWithAWarning applies a migration,
// lets its cutover window lapse, and reads the plan's warning; then the
// same with cutover = true, whose warning says the new migration will be
// cut over as soon as it is ready.
func TestExpiredMigrationPlansAReplacementWithAWarning(t *testing.T) {
	sim, env := linkedShop(t, shop{clusters: []string{"orders"}, hosts: []string{"mh-1"}, deployments: []string{"orders-rs"},
		opts: simulator.MigrationOptions{FrozenClock: true, TickPerRead: 5 * time.Second}},
		map[string]string{"ATLASMIG_SIMULATOR_CLOCK_SPEED": "1000"})
	w := newWorkspace(t, env)
	hcl := func(cutover bool) string {
		return requiredProviders + `
provider "atlasmig" {}
` + ordersMigration("orders", fmt.Sprintf("  cutover        = %t\n", cutover))
	}
	w.write("main.tf", hcl(false))
	w.run(true, "apply", "-auto-approve", "-input=false")
	first := sim.Migrations()[0].ID
	sim.AdvanceClock(200 * time.Hour)
	out := strings.Join(strings.Fields(w.run(true, "plan", "-input=false")), " ")
	for _, want := range []string{
		"Warning: Live Migration Expired: A New One Is Planned",
		"Migration " + first + " in project " + migGroup + " is EXPIRED: it was not cut over within the 120-hour cutover window",
		"set cutover = true in a reviewed change",
		"must be replaced",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	// Terraform 1.6 renders the reason once more, before the arrow:
	// `status = "EXPIRED" # forces replacement -> (known after apply) # forces replacement`.
	if !regexp.MustCompile(`status = "EXPIRED" (# forces replacement )?-> \(known after apply\) # forces replacement`).MatchString(out) {
		t.Errorf("the plan does not show the status forcing the replacement:\n%s", out)
	}
	w.write("main.tf", hcl(true))
	out = strings.Join(strings.Fields(w.run(true, "plan", "-input=false")), " ")
	if !strings.Contains(out, "the new migration will be cut over as soon as it is ready") {
		t.Errorf("the plan does not warn about the cutover of the new migration:\n%s", out)
	}
	w.run(true, "apply", "-auto-approve", "-input=false")
	if ms := sim.Migrations(); len(ms) != 2 || ms[1].Status != "COMPLETE" {
		t.Fatalf("after the replacement: %+v", ms)
	}
	w.run(true, "destroy", "-auto-approve", "-input=false")
}
