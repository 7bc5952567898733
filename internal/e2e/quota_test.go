package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// oneTokenManyLinks is one link token and n source organizations linked
// with it: the workers of one apply share the API's quota.
func oneTokenManyLinks(n int) string {
	var b strings.Builder
	b.WriteString(requiredProviders + `
provider "atlasmig" {
  max_retries = 20
}

resource "atlasmig_link_token" "t" {
  org_id = "5f1b2c3d4e5f6a7b8c9d0e1f"
}
`)
	for i := range n {
		fmt.Fprintf(&b, `
resource "atlasmig_migration_link" "l%[1]d" {
  org_id     = "60a1b2c3d4e5f6a7b8c9d0%02[1]x"
  link_token = atlasmig_link_token.t.link_token
}
`, i)
	}
	return b.String()
}

// Under a quota that charges every request, digest challenges included,
// the workers of one apply queue in the provider instead of each meeting
// its own 429: with the rate learned, a handful of answers 429 at most;
// with the rate set under the quota, none.
func TestWorkersShareTheQuotaInsteadOfMeeting429s(t *testing.T) {
	t.Parallel()
	const links = 6
	cases := []struct {
		name string
		env  map[string]string
		// max429Share bounds the requests answered 429, as a share of all
		// the requests the apply made, challenges included: the count of
		// requests follows the calls a link makes (a link lists the Atlas
		// organization's available projects before and after it links),
		// while how often the learned rate overshoots does not.
		max429Share float64
	}{
		// A handful: 4 in the 27 requests of an apply whose links made
		// two calls each.
		{"learned", nil, 0.15},
		// 3.8 + 3.8 requests a second from the two sides stay under the
		// bucket's 8: one 429 at most.
		{"set", map[string]string{"ATLASMIG_ATLAS_MAX_REQUESTS_PER_SECOND": "3.8", "ATLASMIG_OPS_MANAGER_MAX_REQUESTS_PER_SECOND": "3.8"}, 0.02},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := startSim(t)
			env := map[string]string{
				"MONGODB_ATLAS_BASE_URL": sim.URL, "MCLI_OPS_MANAGER_URL": sim.URL,
				"MONGODB_ATLAS_PUBLIC_KEY": atlasPub, "MONGODB_ATLAS_PRIVATE_KEY": atlasPriv,
				"MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
			}
			for k, v := range tc.env {
				env[k] = v
			}
			w := newWorkspace(t, env)
			w.write("main.tf", oneTokenManyLinks(links))
			sim.SetRateLimit(&simulator.RateLimit{PerSecond: 8, Burst: 2})
			w.run(true, "apply", "-auto-approve", "-input=false")
			sum := sim.JournalSummary()
			if got := sim.Calls(simulator.RouteLink); got != links {
				t.Fatalf("%d link calls, want %d", got, links)
			}
			// A token, and per link the plan's and the apply's checks that
			// the organization is not linked yet, the link, and the two
			// lists of the Atlas organization's available projects around
			// it, each made once.
			if want := 1 + 5*links; sum.Authenticated != want {
				t.Fatalf("%d authenticated calls, want %d: %v", sum.Authenticated, want, sum.ByStatus)
			}
			if most := int(float64(sum.Total) * tc.max429Share); sum.ByStatus[429] > most {
				t.Fatalf("%d of %d requests answered 429, want at most %d", sum.ByStatus[429], sum.Total, most)
			}
		})
	}
}

// The links of one Atlas organization take their turns from the check that
// the source organization is not linked yet to the list of available
// projects after the link: the check is as fresh as the link, and under a
// tight quota the requests to the two APIs alternate instead of every check
// queueing ahead of the first link.
func TestLinksOfOneOrganizationTakeTurnsFromTheCheck(t *testing.T) {
	t.Parallel()
	const links = 3
	sim := startSim(t)
	w := newWorkspace(t, bothSidesEnv(sim.URL, nil))
	w.write("main.tf", oneTokenManyLinks(links))
	sim.ResetJournal()
	w.run(true, "apply", "-auto-approve", "-input=false")
	var seq []string
	applying := false
	for _, r := range sim.Requests() {
		if !r.Authenticated {
			continue
		}
		switch r.Route {
		case simulator.RouteCreateLinkToken:
			// The plan's checks come before the token.
			applying = true
		case simulator.RouteLinkStatus, simulator.RouteLink:
			if applying {
				org := strings.Split(strings.TrimPrefix(r.Path, "/api/public/v1.0/orgs/"), "/")[0]
				seq = append(seq, string(r.Route)+" "+org)
			}
		case simulator.RouteAvailableProjects:
			if applying {
				seq = append(seq, string(r.Route))
			}
		}
	}
	if len(seq) != 4*links {
		t.Fatalf("apply: %d checks, links and lists, want %d: %q", len(seq), 4*links, seq)
	}
	for i := 0; i < len(seq); i += 4 {
		turn := seq[i : i+4]
		status, link := strings.TrimPrefix(turn[0], string(simulator.RouteLinkStatus)+" "), strings.TrimPrefix(turn[2], string(simulator.RouteLink)+" ")
		if turn[0] == status || turn[2] == link || status != link ||
			turn[1] != string(simulator.RouteAvailableProjects) || turn[3] != string(simulator.RouteAvailableProjects) {
			t.Fatalf("link %d: %q, want the check of one organization, the list, its link and the list, in turn; all: %q", i/4+1, turn, seq)
		}
	}
}
