package migration_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const (
	migAddress    = "atlasmig_live_migration.test"
	sourcePass    = "s0urce-Passw0rd-never-shown"
	migrationHost = "mh-1.example.internal"
)

// migrationWorld is a test's Atlas project and source project, with the
// simulator's clock frozen and moved 5 simulated seconds by every read of
// a validation or a migration, and the provider polling every millisecond
// or so: the journey runs at the speed of its requests.
type migrationWorld struct {
	env                      *acctest.Env
	projectID, sourceProject string
}

func newMigrationWorld(t *testing.T) *migrationWorld {
	t.Helper()
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	w := &migrationWorld{env: env, projectID: acctest.RandomOrgID(), sourceProject: acctest.RandomOrgID()}
	env.Environ[provider.EnvSimulatorClockSpeed] = "2000"
	env.Sim.SetClockSpeed(0)
	env.Sim.SetTickPerRead(5 * time.Second)
	env.Sim.AddAtlasProject(simulator.AtlasProject{ID: w.projectID, Name: "orders", OrgID: env.AtlasOrgID, Clusters: []simulator.AtlasCluster{
		{Name: "orders", MongoDBVersion: "7.0.14"}, {Name: "legacy", MongoDBVersion: "6.0.19"},
	}})
	env.Sim.SetInventory(env.SourceOrgID, []simulator.Project{{
		ProjectID: w.sourceProject, Name: "shop", MigrationHosts: []string{migrationHost, "mh-2.example.internal"},
		Deployments: []simulator.Deployment{
			{Name: "orders-rs", MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0", Managed: true, TLSEnabled: true},
			{Name: "plain-rs", MongoDBVersion: "7.0.13", FeatureCompatibilityVersion: "7.0", Managed: true},
		},
	}})
	return w
}

// linkOutOfBand links the source organization without Terraform.
func (w *migrationWorld) linkOutOfBand(t *testing.T) {
	t.Helper()
	w.env.LinkOutOfBand(t, w.env.AtlasOrgID, w.env.SourceOrgID)
}

type migrationConfig struct {
	cluster, destination, host, extraSource string
	cutover                                 bool
	dependsOn                               string
}

func (w *migrationWorld) config(c migrationConfig) string {
	if c.cluster == "" {
		c.cluster = "orders-rs"
	}
	if c.destination == "" {
		c.destination = "orders"
	}
	if c.host == "" {
		c.host = migrationHost
	}
	return fmt.Sprintf(`
resource "atlasmig_live_migration" "test" {
  project_id = %q
  source {
    project_id   = %q
    cluster_name = %q
%s
  }
  destination {
    cluster_name = %q
  }
  migration_host = %q
  cutover        = %t
%s
}
`, w.projectID, w.sourceProject, c.cluster, c.extraSource, c.destination, c.host, c.cutover, c.dependsOn)
}

func (w *migrationWorld) migrations() []simulator.MigrationInfo { return w.env.Sim.Migrations() }

func (w *migrationWorld) checkMigrations(n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(w.migrations()); got != n {
			return fmt.Errorf("%d migrations in Atlas, want %d", got, n)
		}
		return nil
	}
}

func TestAccLiveMigration_fullJourney(t *testing.T) {
	w := newMigrationWorld(t)
	env := w.env
	link := fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}

resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = atlasmig_link_token.test.link_token
}
`, env.AtlasOrgID, env.SourceOrgID)
	cfg := func(cutover bool) string {
		return env.Config(link + w.config(migrationConfig{
			cutover:   cutover,
			dependsOn: "  depends_on = [atlasmig_migration_link.test]",
			extraSource: fmt.Sprintf(`    managed_authentication = false
    username               = "migrator"
    password_wo            = %q
    password_wo_version    = 1`, sourcePass),
		}))
	}
	var migrationID string
	var readsBefore int
	acctest.Run(t, env, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				Config: cfg(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(migAddress, tfjsonpath.New("migration_id")),
					plancheck.ExpectKnownValue(migAddress, tfjsonpath.New("source").AtMapKey("password_wo"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("status"), knownvalue.StringExact("WORKING")),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("cutover"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("migration_hosts"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(migrationHost)})),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("source").AtMapKey("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("validation_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[a-f0-9]{24}$`))),
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureAttribute(migAddress, "migration_id", &migrationID),
					env.CheckCallCount(string(simulator.RouteValidateMigration), 1),
					env.CheckCallCount(string(simulator.RouteGetValidation), 1),
					env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
					env.CheckCallCount(string(simulator.RouteCutover), 0),
					w.checkMigrations(1),
					func(s *terraform.State) error {
						m, _ := env.Sim.Migration(migrationID)
						if !m.PasswordSent || m.MediaType != simulator.MigrationMediaType {
							return fmt.Errorf("migration as Atlas got it: %+v", m)
						}
						if id := s.RootModule().Resources[migAddress].Primary.ID; id != w.projectID+"/"+migrationID {
							return fmt.Errorf("id %q", id)
						}
						return nil
					},
				),
			},
			{
				// The reviewed change, two simulated minutes before the
				// migration is ready: the apply waits for readiness, cuts
				// over once, and waits for COMPLETE.
				PreConfig: func() {
					env.Sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.ReadyAfter = 3 * time.Minute })
					readsBefore = env.Sim.Calls(simulator.RouteGetMigration)
				},
				Config: cfg(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETE")),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("cutover"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("lag_time_seconds"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					env.CheckCallCount(string(simulator.RouteCutover), 1),
					env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
					func(*terraform.State) error {
						// At five simulated seconds a read, about two dozen
						// reads pass before readiness; refreshes make a few.
						if n := env.Sim.Calls(simulator.RouteGetMigration) - readsBefore; n < 20 {
							return fmt.Errorf("only %d migration reads during the cutover step: the apply did not wait for readiness", n)
						}
						return nil
					},
				),
			},
			{
				// Undoing the cutover is recorded in state only, with a
				// warning: nothing is sent, nothing is started, and a
				// destroy is never blocked by it.
				Config: cfg(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETE")),
					statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("cutover"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					env.CheckCallCount(string(simulator.RouteCutover), 1),
					env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
				),
			},
			{
				// A second cutover is impossible: true again is recorded
				// without a request.
				Config: cfg(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.CheckCallCount(string(simulator.RouteCutover), 1),
					env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
				),
			},
		},
	})
	// COMPLETE: destroyed silently, and the link could then be removed.
}

func TestAccLiveMigration_maintenanceWindowAndRequestCounts(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(w.config(migrationConfig{cutover: true})),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("status"), knownvalue.StringExact("COMPLETE")),
				statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("cutover"), knownvalue.Bool(true)),
			},
			PreConfig: env.Sim.ResetJournal,
			Check: resource.ComposeTestCheckFunc(
				// The pre-flight checks read the project and the available
				// projects once at plan; in the apply, Terraform plans the
				// migration again and creates it in one provider process,
				// and the create takes the answer its plan read a moment
				// before (shared_reads.go).
				env.CheckCallCount(string(simulator.RouteGetProject), 2),
				env.CheckCallCount(string(simulator.RouteAvailableProjects), 2),
				env.CheckCallCount(string(simulator.RouteValidateMigration), 1),
				env.CheckCallCount(string(simulator.RouteGetValidation), 1),
				env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
				env.CheckCallCount(string(simulator.RouteCutover), 1),
				func(*terraform.State) error {
					// One simulated clock, five seconds per read: NEW for
					// 5 s (one read), ready 20 s after creation (three
					// reads), COMPLETE 5 s after the cutover (one read).
					if got := env.Sim.Calls(simulator.RouteGetMigration); got != 5 {
						return fmt.Errorf("%d migration reads during create, want 5", got)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccLiveMigration_validationFailureCreatesNothing(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(w.config(migrationConfig{destination: "legacy"})),
			ExpectError: acctest.ErrorMatching("Live Migration Validation Failed", "Nothing was started",
				"Atlas's reason: Source cluster orders-rs runs MongoDB 7.0.13 and destination cluster legacy runs MongoDB 6.0.19"),
			Check: w.checkMigrations(0),
		}},
	})
	if n := len(w.migrations()); n != 0 {
		t.Fatalf("%d migrations created", n)
	}
	if n := env.Sim.Calls(simulator.RouteCreateMigration); n != 0 {
		t.Fatalf("%d create calls after a failed validation", n)
	}
}

func TestAccLiveMigration_refusedBeforeAnyPost(t *testing.T) {
	for name, c := range map[string]struct {
		cfg    migrationConfig
		linked bool
		want   []string
	}{
		"host":    {migrationConfig{host: "mh-9"}, true, []string{"Live Migration Cannot Work", "Migration host mh-9 is not a migration host of source project", "mh-1.example.internal, mh-2.example.internal"}},
		"cluster": {migrationConfig{cluster: "nope"}, true, []string{"Source cluster nope is not a deployment of source project", "orders-rs, plain-rs"}},
		"tls":     {migrationConfig{cluster: "plain-rs"}, true, []string{"source.ssl is true but deployment plain-rs has TLS disabled"}},
		"link":    {migrationConfig{}, false, []string{"is not among the projects Atlas organization", "no source organization is linked"}},
	} {
		t.Run(name, func(t *testing.T) {
			w := newMigrationWorld(t)
			if c.linked {
				w.linkOutOfBand(t)
			}
			env := w.env
			acctest.Run(t, env, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      env.AtlasOnlyConfig(w.config(c.cfg)),
					ExpectError: acctest.ErrorMatching(append(c.want, "Nothing was started")...),
				}},
			})
			if n := env.Sim.Calls(simulator.RouteValidateMigration) + env.Sim.Calls(simulator.RouteCreateMigration); n != 0 {
				t.Fatalf("%d POSTs were sent", n)
			}
		})
	}
}

func TestAccLiveMigration_expiredOrFailedIsReplaced(t *testing.T) {
	for _, status := range []string{"EXPIRED", "FAILED"} {
		t.Run(status, func(t *testing.T) {
			w := newMigrationWorld(t)
			w.linkOutOfBand(t)
			env := w.env
			cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
			var first string
			acctest.Run(t, env, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: cfg, Check: acctest.CaptureAttribute(migAddress, "migration_id", &first)},
					{
						PreConfig: func() {
							var err error
							if status == "EXPIRED" {
								err = env.Sim.ExpireMigration(first)
							} else {
								err = env.Sim.FailMigration(first)
							}
							if err != nil {
								t.Fatal(err)
							}
						},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionDestroyBeforeCreate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(migAddress, tfjsonpath.New("status"), knownvalue.StringExact("WORKING")),
						},
						Check: resource.ComposeTestCheckFunc(
							acctest.CheckAttributeChanged(migAddress, "migration_id", &first),
							w.checkMigrations(2),
						),
					},
					{
						// Cleanup: the new one ends so that destroy can forget it.
						PreConfig:          func() { _ = env.Sim.ExpireMigration(w.migrations()[1].ID) },
						RefreshState:       true,
						ExpectNonEmptyPlan: true,
					},
				},
			})
		})
	}
}

func TestAccLiveMigration_destroyRules(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				Config:  cfg,
				Destroy: true,
				ExpectError: acctest.ErrorMatching("Active Live Migration Cannot Be Destroyed", "keeps syncing",
					"Atlas has no API to cancel or delete a migration", "cancel it in the Atlas UI", "terraform state rm"),
			},
			{
				// Expired: destroy forgets it without an API call.
				PreConfig: func() {
					_ = env.Sim.ExpireMigration(w.migrations()[0].ID)
					env.Sim.ResetJournal()
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			for _, r := range env.Sim.Requests() {
				if r.Method != "GET" {
					return fmt.Errorf("destroying an ended migration sent %s %s", r.Method, r.Path)
				}
			}
			return nil
		},
	})
}

func TestAccLiveMigration_importPlansNoReplacement(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	atlas, err := client.NewAtlas(client.Config{BaseURL: env.AtlasBaseURL, PublicKey: env.AtlasPublicKey, PrivateKey: env.AtlasPrivateKey})
	if err != nil {
		t.Fatal(err)
	}
	m, err := atlas.CreateMigration(context.Background(), w.projectID, client.MigrationRequest{
		Source:         client.MigrationSource{ClusterName: "orders-rs", GroupID: w.sourceProject, ManagedAuthentication: true, SSL: true},
		Destination:    client.MigrationDestination{ClusterName: "orders", GroupID: w.projectID, HostnameSchemaType: "PUBLIC"},
		MigrationHosts: []string{migrationHost},
	})
	if err != nil {
		t.Fatal(err)
	}
	importID := w.projectID + "/" + m.ID
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:        cfg,
				ResourceName:  migAddress,
				ImportState:   true,
				ImportStateId: importID,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					a := states[0].Attributes
					if a["migration_id"] != m.ID || a["project_id"] != w.projectID || a["migration_host"] != migrationHost || a["status"] == "" {
						return fmt.Errorf("imported: %v", a)
					}
					return nil
				},
			},
			{
				Config:       cfg,
				ResourceName: migAddress, ImportState: true, ImportStateId: "not-an-id/" + m.ID,
				ExpectError: acctest.ErrorMatching("Invalid Import ID", "<project_id>/<migration_id>"),
			},
			{
				// The import block: the configuration Atlas does not return
				// is recorded in place, never by a new migration.
				Config: cfg + fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", migAddress, importID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(migAddress, "migration_id", m.ID),
					w.checkMigrations(1),
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				PreConfig:          func() { _ = env.Sim.ExpireMigration(m.ID) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccLiveMigration_lostCreateAnswerIsNeverRepostedBlindly(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	env.Sim.SetFault(simulator.RouteCreateMigration, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ExpectError: acctest.ErrorMatching("Live Migration May Have Been Started", "does not send the request again",
					"terraform import atlasmig_live_migration.<name> "+w.projectID+"/<migration_id>"),
			},
			{
				Config:      cfg,
				ExpectError: acctest.ErrorMatching("Live Migration Validation Failed", "Migration host "+migrationHost+" is busy"),
			},
		},
	})
	if n := len(w.migrations()); n != 1 || env.Sim.Calls(simulator.RouteCreateMigration) != 1 {
		t.Fatalf("%d migrations, %d create calls: want exactly one of each", n, env.Sim.Calls(simulator.RouteCreateMigration))
	}
}

func TestAccLiveMigration_configValidation(t *testing.T) {
	w := newMigrationWorld(t)
	env := w.env
	base := w.config(migrationConfig{})
	for _, c := range []struct{ cfg, want string }{
		{strings.Replace(base, `project_id = "`+w.projectID, `project_id = "ABC`, 1), "must be an Atlas project id"},
		{strings.Replace(base, `cluster_name = "orders"`, `cluster_name = "orders"`+"\n    private_link_id = \"pl-1\"", 1), "Private Link Id Without Private Link"},
		{strings.Replace(base, `cluster_name = "orders-rs"`, `cluster_name = "orders-rs"`+"\n    username = \"u\"", 1), "Credentials With Managed Authentication"},
		{strings.Replace(base, `cluster_name = "orders-rs"`, `cluster_name = "orders-rs"`+"\n    managed_authentication = false", 1), "Missing Source Credentials"},
		{strings.Replace(base, "  destination {\n    cluster_name = \"orders\"\n  }\n", "", 1), "destination"},
		{strings.Replace(base, `cluster_name = "orders-rs"`, `cluster_name = "orders-rs"`+"\n    managed_authentication = false\n    username = \"u\"\n    password = \"p1\"\n    password_wo = \"p2\"", 1), "Conflicting Passwords"},
		// A timeout of zero or less would end the wait before it starts.
		{strings.Replace(base, "  cutover        = false\n", "  cutover        = false\n  timeouts {\n    create = \"0s\"\n  }\n", 1), "timeouts.create must be a positive duration"},
		{strings.Replace(base, "  cutover        = false\n", "  cutover        = false\n  timeouts {\n    update = \"-5m\"\n  }\n", 1), "timeouts.update must be a positive duration"},
	} {
		t.Run(c.want, func(t *testing.T) {
			var checks []tfversion.TerraformVersionCheck
			if strings.Contains(c.cfg, "password_wo") {
				checks = append(checks, tfversion.SkipBelow(tfversion.Version1_11_0))
			}
			acctest.Run(t, env, resource.TestCase{
				TerraformVersionChecks: checks,
				Steps:                  []resource.TestStep{{Config: env.AtlasOnlyConfig(c.cfg), PlanOnly: true, ExpectError: acctest.ErrorMatching(c.want)}},
			})
		})
	}
	t.Cleanup(func() { env.CheckNoCalls(t) })
}

func TestAccLiveMigrationDataSource(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}) + fmt.Sprintf(`
data "atlasmig_live_migration" "test" {
  project_id   = %q
  migration_id = atlasmig_live_migration.test.migration_id
}
`, w.projectID))
	const ds = "data.atlasmig_live_migration.test"
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// A migration Atlas does not list reads as a null status
				// (with a warning), so a check block can report it.
				Config: env.AtlasOnlyConfig(fmt.Sprintf("data \"atlasmig_live_migration\" \"x\" {\n  project_id = %q\n  migration_id = %q\n}\n", w.projectID, w.projectID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.atlasmig_live_migration.x", tfjsonpath.New("status"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.atlasmig_live_migration.x", tfjsonpath.New("ready_for_cutover"), knownvalue.Bool(false)),
				},
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("status"), knownvalue.StringExact("WORKING")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready_for_cutover"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("lag_time_seconds"), knownvalue.Int64Func(func(v int64) error {
						if v <= 0 {
							return fmt.Errorf("lag %d", v)
						}
						return nil
					})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("migration_hosts"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(migrationHost)})),
				},
			},
			{
				PreConfig:          func() { _ = env.Sim.ExpireMigration(w.migrations()[0].ID) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccLiveMigration_unknownProject(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	w.projectID = acctest.RandomOrgID()
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      env.AtlasOnlyConfig(w.config(migrationConfig{})),
			ExpectError: acctest.ErrorMatching("Atlas Project Not Found", "the project does not exist", "GROUP_NOT_FOUND"),
		}},
	})
	if n := env.Sim.Calls(simulator.RouteValidateMigration); n != 0 {
		t.Fatalf("%d validations sent for an unknown project", n)
	}
}

func TestAccLiveMigration_changesThatStartANewMigration(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: env.AtlasOnlyConfig(w.config(migrationConfig{}))},
			{
				// A new timeouts block changes nothing in Atlas.
				Config: env.AtlasOnlyConfig(w.config(migrationConfig{dependsOn: "  timeouts {\n    update = \"2h\"\n  }"})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionUpdate),
				}},
				Check: w.checkMigrations(1),
			},
			{
				// Another source cluster is another migration, and the
				// active one cannot be destroyed to make room for it.
				Config: env.AtlasOnlyConfig(w.config(migrationConfig{cluster: "plain-rs", extraSource: "    ssl = false"})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ExpectError: acctest.ErrorMatching("Active Live Migration Cannot Be Destroyed"),
			},
			{
				PreConfig:          func() { _ = env.Sim.ExpireMigration(w.migrations()[0].ID) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if n := len(w.migrations()); n != 1 {
		t.Fatalf("%d migrations", n)
	}
}

func TestAccLiveMigration_timeoutAfterCreationFailsAndKeepsItInState(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	env.Sim.UpdateMigrationOptions(func(o *simulator.MigrationOptions) { o.StartAfter, o.ReadyAfter = 1000*time.Hour, 1000*time.Hour })
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{dependsOn: "  timeouts {\n    create = \"1s\"\n  }"}))
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// The apply fails: the migration was started, and is not
				// started yet. Terraform taints it.
				Config:      cfg,
				ExpectError: acctest.ErrorMatching("Live Migration Still In Progress", "terraform untaint"),
			},
			{
				// Its replacement is refused while it is healthy (a plan
				// that refreshes: PlanOnly plans without refreshing first).
				PreConfig: func() {
					if len(w.migrations()) != 1 {
						t.Fatalf("%d migrations", len(w.migrations()))
					}
				},
				Config:      cfg,
				ExpectError: acctest.ErrorMatching("Healthy Live Migration Would Be Replaced", "terraform untaint"),
			},
			{
				PreConfig: func() {
					if len(w.migrations()) != 1 {
						t.Fatalf("%d migrations", len(w.migrations()))
					}
					_ = env.Sim.ExpireMigration(w.migrations()[0].ID)
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(migAddress, "status", "EXPIRED"),
					w.checkMigrations(1),
				),
			},
		},
	})
}

func TestAccLiveMigration_lostValidationAnswerIsAskedAgain(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	env.Sim.SetFault(simulator.RouteValidateMigration, simulator.Fault{Count: 1, ResetAfterProcessing: true})
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.AtlasOnlyConfig(w.config(migrationConfig{})),
			Check: resource.ComposeTestCheckFunc(
				env.CheckCallCount(string(simulator.RouteValidateMigration), 2),
				env.CheckCallCount(string(simulator.RouteCreateMigration), 1),
				w.checkMigrations(1),
			),
		}, {
			PreConfig:          func() { _ = env.Sim.ExpireMigration(w.migrations()[0].ID) },
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

func TestAccLiveMigration_forgottenByAtlasLeavesTheState(t *testing.T) {
	w := newMigrationWorld(t)
	w.linkOutOfBand(t)
	env := w.env
	cfg := env.AtlasOnlyConfig(w.config(migrationConfig{}))
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					old := w.migrations()[0].ID
					_ = env.Sim.ExpireMigration(old)
					env.Sim.ForgetMigration(old)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(migAddress, plancheck.ResourceActionCreate),
				}},
				Check: w.checkMigrations(1),
			},
			{
				PreConfig:          func() { _ = env.Sim.ExpireMigration(w.migrations()[0].ID) },
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
