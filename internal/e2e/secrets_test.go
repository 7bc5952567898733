package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

const (
	atlasOrg   = "5f1b2c3d4e5f6a7b8c9d0e1f"
	sourceOrg  = "60a1b2c3d4e5f6a7b8c9d0e1"
	importOrg  = "60a1b2c3d4e5f6a7b8c9d0e2"
	woOrg      = "60a1b2c3d4e5f6a7b8c9d0e3"
	atlasPub   = "e2e-atlas-pub"
	atlasPriv  = "e2e-atlas-private-9f8e7d6c5b4a"
	omPub      = "e2e-om-pub"
	omPriv     = "e2e-om-private-1a2b3c4d5e6f"
	atlasSAID  = "mdb_sa_id_e2e_atlas"
	atlasSASec = "mdb_sa_sk_e2e_atlas_secret_77"
	omSAID     = "mdb_sa_id_e2e_om"
	omSASec    = "mdb_sa_sk_e2e_om_secret_88"
)

func startSim(t *testing.T) *simulator.Server {
	t.Helper()
	return simulator.NewServer(t, simulator.Options{
		AtlasKeys:                 []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys:            []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
		AtlasServiceAccounts:      []simulator.ServiceAccount{{ClientID: atlasSAID, ClientSecret: atlasSASec}},
		OpsManagerServiceAccounts: []simulator.ServiceAccount{{ClientID: omSAID, ClientSecret: omSASec}},
	}, simulator.ServerOptions{})
}

const pairHCL = requiredProviders + `
variable "om_client_id" {
  type    = string
  default = ""
}

variable "om_client_secret" {
  type      = string
  sensitive = true
  default   = ""
}

provider "atlasmig" {
  max_retries = 1
  ops_manager {
    client_id     = var.om_client_id
    client_secret = var.om_client_secret
  }
}

resource "atlasmig_link_token" "this" {
  org_id          = "%s"
  access_list_ips = ["203.0.113.7"]
}

resource "atlasmig_migration_link" "this" {
  org_id     = "%s"
  link_token = atlasmig_link_token.this.link_token
}

data "atlasmig_migration_link" "this" {
  org_id     = "%s"
  depends_on = [atlasmig_migration_link.this]
}

output "status" {
  value = atlasmig_migration_link.this.status
}
`

// secretsOf lists every secret the simulator and the configuration hold.
func secretsOf(sim *simulator.Server, includeLinkTokens bool) map[string]string {
	secrets := map[string]string{
		atlasPriv: "the Atlas private key", omPriv: "the Ops Manager private key",
		atlasSASec: "the Atlas client secret", omSASec: "the Cloud Manager client secret",
	}
	for _, t := range sim.AccessTokens() {
		secrets[t] = "a service-account access token"
	}
	if includeLinkTokens {
		for _, t := range sim.AllLinkTokens() {
			secrets[t] = "a link token"
		}
	}
	return secrets
}

// TestNoSecretInLogsOutputOrIDs runs the whole scenario set with TF_LOG=TRACE
// — apply, plan, import, a failure, destroy — once with API keys and once
// with service accounts, and searches terraform's log and output for every
// secret involved, link tokens included. The state may hold link tokens by
// design (the token resource must keep its token), never a credential or an
// access token.
func TestNoSecretInLogsOutputOrIDs(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"api keys", "service accounts"} {
		t.Run(mode, func(t *testing.T) {
			sim := startSim(t)
			env := map[string]string{
				"MONGODB_ATLAS_BASE_URL": sim.URL,
				"MCLI_OPS_MANAGER_URL":   sim.URL,
			}
			if mode == "api keys" {
				env["MONGODB_ATLAS_PUBLIC_KEY"], env["MONGODB_ATLAS_PRIVATE_KEY"] = atlasPub, atlasPriv
				env["MCLI_PUBLIC_API_KEY"], env["MCLI_PRIVATE_API_KEY"] = omPub, omPriv
			} else {
				env["MONGODB_ATLAS_CLIENT_ID"], env["MONGODB_ATLAS_CLIENT_SECRET"] = atlasSAID, atlasSASec
				env["TF_VAR_om_client_id"], env["TF_VAR_om_client_secret"] = omSAID, omSASec
			}
			w := newWorkspace(t, env)
			w.write("main.tf", fmt.Sprintf(pairHCL, atlasOrg, sourceOrg, sourceOrg))
			w.run(true, "apply", "-auto-approve", "-input=false")
			if status, linked := sim.LinkStatus(sourceOrg); !linked || status != "SYNCED" {
				t.Fatalf("not linked after apply: %v %q", linked, status)
			}
			plan := w.run(true, "plan", "-input=false", "-detailed-exitcode")
			if !strings.Contains(plan, "No changes") {
				t.Fatalf("plan after apply is not empty:\n%s", plan)
			}

			// Import a link made outside Terraform.
			token := sim.IssueLinkToken(atlasOrg)
			if err := sim.Link(importOrg, token); err != nil {
				t.Fatal(err)
			}
			w.write("import.tf", fmt.Sprintf(`
import {
  to = atlasmig_migration_link.imported
  id = %q
}

resource "atlasmig_migration_link" "imported" {
  org_id     = %q
  link_token = atlasmig_link_token.this.link_token
}
`, importOrg, importOrg))
			w.run(true, "apply", "-auto-approve", "-input=false")

			// A failure: the status endpoint breaks during refresh.
			sim.SetFault(simulator.RouteLinkStatus, simulator.Fault{Count: 10, Status: 500, ErrorCode: "UNEXPECTED_ERROR"})
			out := w.run(false, "plan", "-input=false")
			if !strings.Contains(out, "UNEXPECTED_ERROR") {
				t.Fatalf("the failure does not carry the API's code:\n%s", out)
			}
			sim.ClearFaults()
			// An import id that is really a token must not be echoed.
			w.run(false, "import", "-input=false", "atlasmig_migration_link.bad", token)

			w.run(true, "destroy", "-auto-approve", "-input=false")
			if sim.LinkCount() != 0 || len(sim.AllLinkTokens()) != 0 {
				t.Fatalf("destroy left %d links, %d tokens", sim.LinkCount(), len(sim.AllLinkTokens()))
			}
			if mode == "service accounts" && sim.TokenRequests() == 0 {
				t.Fatal("service accounts were not used")
			}

			log := w.read("terraform.log")
			if !strings.Contains(log, "API request") || !strings.Contains(log, "API response body") {
				t.Fatal("the TRACE log holds no API entries: the scan would prove nothing")
			}
			all := secretsOf(sim, true)
			for _, tok := range []string{token} {
				all[tok] = "the imported link's token"
			}
			reportLeaks(t, secretscan.Find("terraform.log", withoutCLIArgs(log), all))
			reportLeaks(t, secretscan.Find("terraform output", w.output.String(), all))
			reportLeaks(t, secretscan.Find("terraform.tfstate", w.read("terraform.tfstate"), secretsOf(sim, false)))
			for _, forbidden := range []string{"Authorization: ", "WWW-Authenticate", "Digest username", "Bearer " + firstOr(sim.AccessTokens())} {
				if strings.Contains(log, forbidden) {
					t.Errorf("the log contains %q", forbidden)
				}
			}
		})
	}
}

// withoutCLIArgs drops the lines where Terraform logs its own command line:
// the scenario deliberately types a token as an import id there, which no
// provider can keep out of Terraform's log. Everything the provider logs is
// still scanned.
func withoutCLIArgs(log string) string {
	lines := strings.Split(log, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.Contains(l, "[INFO]  CLI args:") && !strings.Contains(l, "[INFO]  CLI command args:") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func firstOr(list []string) string {
	if len(list) == 0 {
		return "\x00"
	}
	return list[0]
}

// TestWriteOnlyTokenStaysOutOfPlanAndState links with link_token_wo and
// searches the state file and the saved plan for the token.
func TestWriteOnlyTokenStaysOutOfPlanAndState(t *testing.T) {
	t.Parallel()
	bin, err := tfcli.Identify(terraformPath())
	if err != nil {
		t.Fatal(err)
	}
	if !bin.WriteOnly() {
		t.Skipf("write-only arguments need Terraform or OpenTofu 1.11 or later; this is %s", bin)
	}
	sim := startSim(t)
	token := sim.IssueLinkToken(atlasOrg)
	w := newWorkspace(t, map[string]string{
		"MCLI_OPS_MANAGER_URL": sim.URL, "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv,
		"TF_VAR_link_token": token,
	})
	w.write("main.tf", fmt.Sprintf(requiredProviders+`
provider "atlasmig" {}

variable "link_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "atlasmig_migration_link" "this" {
  org_id                = %q
  link_token_wo         = var.link_token
  link_token_wo_version = 1
}
`, woOrg))
	w.run(true, "plan", "-input=false", "-out=tfplan")
	planJSON := w.run(true, "show", "-json", "tfplan")
	w.run(true, "apply", "-input=false", "tfplan")
	if status, _ := sim.LinkStatus(woOrg); status != "SYNCED" {
		t.Fatalf("write-only link not made: %q", status)
	}
	secrets := map[string]string{token: "the write-only link token"}
	reportLeaks(t, secretscan.Find("saved plan", w.read("tfplan")+planJSON, secrets))
	reportLeaks(t, secretscan.Find("terraform.tfstate", w.read("terraform.tfstate"), secrets))
	reportLeaks(t, secretscan.Find("terraform.log", w.read("terraform.log"), secrets))
	reportLeaks(t, secretscan.Find("terraform output", w.output.String(), secrets))

	// Bumping the version re-links; nothing else changes.
	w.write("main.tf", strings.Replace(w.read("main.tf"), "link_token_wo_version = 1", "link_token_wo_version = 2", 1))
	plan := w.run(true, "plan", "-input=false")
	if !strings.Contains(plan, "must be replaced") {
		t.Fatalf("a new version must re-link:\n%s", plan)
	}
	w.run(true, "destroy", "-auto-approve", "-input=false")
}
