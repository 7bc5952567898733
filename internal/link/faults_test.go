package link_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// countCalls checks the authenticated calls per route since the journal was
// last reset; the digest challenge of each call is not counted.
func countCalls(env *acctest.Env, want map[simulator.Route]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for route, n := range want {
			if got := env.Sim.Calls(route); got != n {
				return fmt.Errorf("%d %s calls, want %d", got, route, n)
			}
		}
		return nil
	}
}

// Each fault is injected before the apply; the apply must succeed (or
// converge on the next one) with exactly the calls the retry rules imply.
func TestAccFaults_retriedToSuccess(t *testing.T) {
	cases := []struct {
		name  string
		route simulator.Route
		fault simulator.Fault
		calls map[simulator.Route]int
	}{
		{"429 with Retry-After on token creation", simulator.RouteCreateLinkToken, simulator.Fault{Count: 2, Status: 429, RetryAfter: "0"},
			map[simulator.Route]int{simulator.RouteCreateLinkToken: 3, simulator.RouteLink: 1}},
		{"503 with Retry-After on link", simulator.RouteLink, simulator.Fault{Count: 1, Status: 503, RetryAfter: "0"},
			map[simulator.Route]int{simulator.RouteCreateLinkToken: 1, simulator.RouteLink: 2}},
		{"connection reset before the link is processed", simulator.RouteLink, simulator.Fault{Count: 1, ResetBeforeProcessing: true},
			// Not retried blindly: the status read says no link exists,
			// so linking again cannot duplicate it. (Two more status reads
			// come first: the plan's and the apply's checks that the
			// organization is not linked.)
			map[simulator.Route]int{simulator.RouteLink: 2, simulator.RouteLinkStatus: 3}},
		{"link answer lost after processing", simulator.RouteLink, simulator.Fault{Count: 1, ResetAfterProcessing: true},
			// The status read finds the link: adopted, not made twice.
			// (The first two status reads are the plan's and the apply's
			// checks before linking.)
			map[simulator.Route]int{simulator.RouteLink: 1, simulator.RouteLinkStatus: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			env.RequireSimulator(t)
			acctest.Run(t, env, resource.TestCase{
				CheckDestroy: env.CheckNothingLeft,
				Steps: []resource.TestStep{{
					PreConfig: func() { env.Sim.SetFault(tc.route, tc.fault) },
					Config:    pairConfig(env, `[]`),
					Check: resource.ComposeTestCheckFunc(
						countCalls(env, tc.calls),
						env.CheckLinked(env.SourceOrgID, env.AtlasOrgID),
						env.CheckTokenCount(env.AtlasOrgID, 1),
					),
				}},
			})
		})
	}
}

func TestAccFaults_transientReadErrorsRetried(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{Config: pairConfig(env, `[]`)},
			{
				// Two 502s on the refresh's status read: both retried,
				// and the plan stays empty.
				PreConfig: func() {
					env.Sim.ResetJournal()
					env.Sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 2, Status: 502})
				},
				Config: pairConfig(env, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: statusesBegin(env, simulator.RouteLinkStatus, 502, 502, 200),
			},
			{
				// A connection reset on the status read (a GET): retried.
				PreConfig: func() {
					env.Sim.ResetJournal()
					env.Sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 1, ResetBeforeProcessing: true})
				},
				Config: pairConfig(env, `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: statusesBegin(env, simulator.RouteLinkStatus, simulator.StatusReset, 200),
			},
		},
	})
}

// statusesBegin checks the statuses a route answered, in order, since the
// journal was reset: a fault is retried when the next call of the same read
// succeeds. Authenticated calls only; challenges are not counted.
func statusesBegin(env *acctest.Env, route simulator.Route, want ...int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []int
		for _, r := range env.Sim.Requests() {
			if r.Route == route && r.Authenticated {
				got = append(got, r.Status)
			}
		}
		if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			return fmt.Errorf("%s answered %v, want it to begin %v", route, got, want)
		}
		if faults := len(want) - 1; slices.Contains(got[faults:], want[0]) {
			return fmt.Errorf("%s answered %v: more faults than injected", route, got)
		}
		return nil
	}
}

func TestAccFaults_lostTokenAnswerConvergesOnNextApply(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	cfg := tokenConfig(env, env.AtlasOrgID, `[]`)
	acctest.Run(t, env, resource.TestCase{
		CheckDestroy: env.CheckNothingLeft,
		Steps: []resource.TestStep{
			{
				// The token is created but its answer is lost: the apply
				// fails, telling the user to apply again, and the resource
				// is kept (tainted) so nothing is orphaned.
				PreConfig: func() {
					env.Sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, ResetAfterProcessing: true})
				},
				Config:      cfg,
				ExpectError: acctest.ErrorMatching("Link Token Outcome Unknown", "saved as tainted", "run terraform apply again"),
			},
			{
				// The next apply replaces the tainted token: exactly one
				// token exists afterwards, and it is the one in state.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("atlasmig_link_token.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					env.CheckTokenIssued("atlasmig_link_token.test", env.AtlasOrgID),
					countCalls(env, map[simulator.Route]int{simulator.RouteCreateLinkToken: 2, simulator.RouteDeleteLinkTokens: 1}),
				),
			},
		},
	})
}

func TestAccFaults_persistent500FailsFast(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1000, Status: 500, ErrorCode: "UNEXPECTED_ERROR"})
			},
			Config:      tokenConfig(env, env.AtlasOrgID, `[]`),
			ExpectError: acctest.ErrorMatching("Atlas API Error", "Run again later", "UNEXPECTED_ERROR"),
		}},
	})
	if got := env.Sim.Calls(simulator.RouteCreateLinkToken); got != 1 {
		t.Errorf("%d create calls; a 500 must not be retried", got)
	}
}

func TestAccFaults_persistent429BoundedByMaxRetries(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1000, Status: 429, RetryAfter: "0"})
			},
			// The environment's provider block sets max_retries = 2.
			Config:      tokenConfig(env, env.AtlasOrgID, `[]`),
			ExpectError: acctest.ErrorMatching("Atlas Rate Limit Exceeded", "max_retries", "RATE_LIMITED"),
		}},
	})
	if got := env.Sim.Calls(simulator.RouteCreateLinkToken); got != 3 {
		t.Errorf("%d create calls, want 1 + max_retries (2)", got)
	}
}
