package link_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/acctest"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// Each API failure must produce a diagnostic that says what to do and carries
// the API's own error code; acctest.Run fails the test if any secret shows up
// in the error.
func TestAccAPIErrors(t *testing.T) {
	cases := []struct {
		name  string
		setup func(env *acctest.Env)
		want  *regexp.Regexp
	}{
		{
			name:  "401 wrong private key",
			setup: func(env *acctest.Env) { env.AtlasPrivateKey = "wrong-" + env.AtlasPrivateKey },
			want:  acctest.ErrorMatching("Atlas Rejected The Credentials", "atlas.public_key", "HTTP 401"),
		},
		{
			name:  "403 key of another organization",
			setup: func(env *acctest.Env) { env.Sim.LimitAtlasKey(env.AtlasPublicKey, acctest.RandomOrgID()) },
			want:  acctest.ErrorMatching("Permission Denied By Atlas", "Organization Owner", "HTTP 403"),
		},
		{
			name: "404 from the API",
			setup: func(env *acctest.Env) {
				env.Sim.SetFault(simulator.RouteCreateLinkToken, simulator.Fault{Count: 1, Status: 404, ErrorCode: "RESOURCE_NOT_FOUND", Detail: "Cannot find resource organization."})
			},
			want: acctest.ErrorMatching("Atlas Resource Not Found", "organization id", "RESOURCE_NOT_FOUND"),
		},
		{
			name: "409 from the API",
			setup: func(env *acctest.Env) {
				env.Sim.SetFault(simulator.RouteLink, simulator.Fault{Count: 1, Status: 409, ErrorCode: "MIGRATION_LINK_ALREADY_EXISTS", Detail: "The organization is already linked."})
			},
			want: acctest.ErrorMatching("Organization Already Linked", "terraform import atlasmig_migration_link", "MIGRATION_LINK_ALREADY_EXISTS"),
		},
		{
			name: "500 from the API",
			setup: func(env *acctest.Env) {
				env.Sim.SetFault(simulator.RouteLink, simulator.Fault{Count: 100, Status: 500, ErrorCode: "UNEXPECTED_ERROR", Detail: "Unexpected error."})
			},
			want: acctest.ErrorMatching("Cloud Manager / Ops Manager API Error", "Run again later", "UNEXPECTED_ERROR"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			env.RequireSimulator(t)
			tc.setup(env)
			acctest.Run(t, env, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      pairConfig(env, `[]`),
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func TestAccProvider_missingSideCredentialsFailAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	acctest.Run(t, env, resource.TestCase{
		Steps: []resource.TestStep{{
			// Only Atlas is configured, and the link needs the source side.
			Config: env.AtlasOnlyConfig(fmt.Sprintf(`
resource "atlasmig_migration_link" "test" {
  org_id     = %q
  link_token = "token"
}
`, env.SourceOrgID)),
			PlanOnly:    true,
			ExpectError: acctest.ErrorMatching("Missing Cloud Manager / Ops Manager Credentials", "ops_manager.public_key", "MCLI_PUBLIC_API_KEY"),
		}},
	})
	env.CheckNoCalls(t)
}

func TestAccProvider_invalidConfiguration(t *testing.T) {
	env := acctest.NewEnv(t)
	env.RequireSimulator(t)
	body := fmt.Sprintf(`
resource "atlasmig_link_token" "test" {
  org_id = %q
}
`, env.AtlasOrgID)
	cases := map[string]struct {
		provider string
		want     *regexp.Regexp
	}{
		"plain http to a remote host": {`provider "atlasmig" {
  atlas {
    base_url    = "http://cloud.example.com"
    public_key  = "p"
    private_key = "k"
  }
}`, acctest.ErrorMatching("atlas.base_url", "only for loopback hosts", "https://")},
		"both credential kinds": {`provider "atlasmig" {
  atlas {
    public_key    = "p"
    private_key   = "k"
    client_id     = "i"
    client_secret = "s"
  }
}`, acctest.ErrorMatching("Conflicting Credentials", "atlas.public_key", "atlas.client_id")},
		"half a key pair": {`provider "atlasmig" {
  atlas {
    base_url   = "http://127.0.0.1:1"
    public_key = "p"
  }
}`, acctest.ErrorMatching("Incomplete Key Pair", "atlas.private_key", "MONGODB_ATLAS_PRIVATE_API_KEY")},
		"retries out of range": {`provider "atlasmig" {
  max_retries = 99
}`, acctest.ErrorMatching("max_retries", "between 0 and 20")},
		"request rate out of range": {`provider "atlasmig" {
  ops_manager {
    max_requests_per_second = 0
  }
}`, acctest.ErrorMatching("max_requests_per_second", "between 0.010000 and 10000")},
		"a simulator clock speed against real Atlas": {`provider "atlasmig" {
  simulator_clock_speed = 60
  atlas {
    public_key  = "p"
    private_key = "k"
  }
}`, acctest.ErrorMatching("Simulator Clock Speed Outside The Simulator", "simulator_clock_speed is 60", "the Atlas base URL https://cloud.mongodb.com is not a loopback host",
			"multiply the requests", "Unset simulator_clock_speed", "ATLASMIG_SIMULATOR_CLOCK_SPEED", "or point atlas.base_url at the simulator")},
		"a simulator clock speed below 1": {`provider "atlasmig" {
  simulator_clock_speed = 0.5
}`, acctest.ErrorMatching("simulator_clock_speed", "at least 1", "got: 0.5")},
		"an unknown source kind": {`provider "atlasmig" {
  ops_manager {
    kind = "opsmanager"
  }
}`, acctest.ErrorMatching("ops_manager.kind", `"cloud_manager"`, `"ops_manager"`, `got: "opsmanager"`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.Run(t, env, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      tc.provider + body,
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}
