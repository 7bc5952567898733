package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

const linkOnlyHCL = requiredProviders + `
variable "token" {
  type      = string
  sensitive = true
}

provider "atlasmig" {
  ops_manager {
%s
  }
}

resource "atlasmig_migration_link" "this" {
  org_id     = %q
  link_token = var.token
}
`

// TestOpsManagerPrivateCertificateAuthority covers an Ops Manager behind a
// private CA: trusted with ca_cert_file (attribute or environment), refused
// with a diagnostic suggesting ca_cert_file without it, and reachable with
// insecure_skip_verify at the price of a warning on every run.
func TestOpsManagerPrivateCertificateAuthority(t *testing.T) {
	t.Parallel()
	sim := simulator.NewServer(t, simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}},
	}, simulator.ServerOptions{TLS: true})
	ca := filepath.Join(t.TempDir(), "opsmanager-ca.pem")
	if err := sim.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	env := func(extra map[string]string) map[string]string {
		e := map[string]string{"MCLI_OPS_MANAGER_URL": sim.URL, "MCLI_PUBLIC_API_KEY": omPub, "MCLI_PRIVATE_API_KEY": omPriv}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}

	t.Run("untrusted", func(t *testing.T) {
		token := sim.IssueLinkToken(atlasOrg)
		w := newWorkspace(t, env(map[string]string{"TF_VAR_token": token}))
		w.write("main.tf", fmt.Sprintf(linkOnlyHCL, "", "60a1b2c3d4e5f6a7b8c9d0f1"))
		out := w.run(false, "apply", "-auto-approve", "-input=false")
		for _, want := range []string{"TLS Certificate Not Trusted", "ops_manager.ca_cert_file", "MCLI_OPS_MANAGER_CA_CERTIFICATE"} {
			if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("the x509 failure does not mention %q:\n%s", want, out)
			}
		}
	})
	t.Run("ca_cert_file attribute", func(t *testing.T) {
		token := sim.IssueLinkToken(atlasOrg)
		w := newWorkspace(t, env(map[string]string{"TF_VAR_token": token}))
		w.write("main.tf", fmt.Sprintf(linkOnlyHCL, fmt.Sprintf("    ca_cert_file = %q", ca), "60a1b2c3d4e5f6a7b8c9d0f2"))
		w.run(true, "apply", "-auto-approve", "-input=false")
		if status, _ := sim.LinkStatus("60a1b2c3d4e5f6a7b8c9d0f2"); status != "SYNCED" {
			t.Fatalf("not linked over TLS: %q", status)
		}
		w.run(true, "destroy", "-auto-approve", "-input=false")
	})
	t.Run("ca from the environment", func(t *testing.T) {
		token := sim.IssueLinkToken(atlasOrg)
		w := newWorkspace(t, env(map[string]string{"TF_VAR_token": token, "MCLI_OPS_MANAGER_CA_CERTIFICATE": ca}))
		w.write("main.tf", fmt.Sprintf(linkOnlyHCL, "", "60a1b2c3d4e5f6a7b8c9d0f3"))
		w.run(true, "apply", "-auto-approve", "-input=false")
		w.run(true, "destroy", "-auto-approve", "-input=false")
	})
	t.Run("missing ca file", func(t *testing.T) {
		w := newWorkspace(t, env(map[string]string{"TF_VAR_token": "x"}))
		w.write("main.tf", fmt.Sprintf(linkOnlyHCL, `    ca_cert_file = "/nonexistent/ca.pem"`, "60a1b2c3d4e5f6a7b8c9d0f4"))
		out := w.run(false, "plan", "-input=false")
		if !strings.Contains(out, "/nonexistent/ca.pem") {
			t.Fatalf("the error does not name the path:\n%s", out)
		}
	})
	t.Run("insecure_skip_verify warns every run", func(t *testing.T) {
		token := sim.IssueLinkToken(atlasOrg)
		w := newWorkspace(t, env(map[string]string{"TF_VAR_token": token}))
		w.write("main.tf", fmt.Sprintf(linkOnlyHCL, "    insecure_skip_verify = true", "60a1b2c3d4e5f6a7b8c9d0f5"))
		for _, args := range [][]string{{"apply", "-auto-approve", "-input=false"}, {"plan", "-input=false"}, {"destroy", "-auto-approve", "-input=false"}} {
			if out := w.run(true, args...); !strings.Contains(out, "TLS Verification Disabled") {
				t.Errorf("terraform %s did not warn:\n%s", args[0], out)
			}
		}
	})
}

// TestServiceAccountOneTokenPerProcessPerSide applies ten token and link
// pairs with service accounts on both sides and counts the token requests
// the simulator received: one per side for each provider process terraform
// starts, however many resources there are.
func TestServiceAccountOneTokenPerProcessPerSide(t *testing.T) {
	t.Parallel()
	sim := startSim(t)
	w := newWorkspace(t, map[string]string{
		"MONGODB_ATLAS_BASE_URL": sim.URL, "MCLI_OPS_MANAGER_URL": sim.URL,
		"MONGODB_ATLAS_CLIENT_ID": atlasSAID, "MONGODB_ATLAS_CLIENT_SECRET": atlasSASec,
		"TF_VAR_om_client_id": omSAID, "TF_VAR_om_client_secret": omSASec,
	})
	var b strings.Builder
	b.WriteString(requiredProviders + `
variable "om_client_id" {
  type = string
}

variable "om_client_secret" {
  type      = string
  sensitive = true
}

provider "atlasmig" {
  ops_manager {
    client_id     = var.om_client_id
    client_secret = var.om_client_secret
  }
}
`)
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, `
resource "atlasmig_link_token" "t%[1]d" {
  org_id = "5f1b2c3d4e5f6a7b8c9d0e%02[1]x"
}

resource "atlasmig_migration_link" "l%[1]d" {
  org_id     = "60a1b2c3d4e5f6a7b8c9d0%02[1]x"
  link_token = atlasmig_link_token.t%[1]d.link_token
}
`, i)
	}
	w.write("main.tf", b.String())
	w.run(true, "plan", "-input=false", "-out=tfplan")
	sim.ResetJournal()
	before := sim.TokenRequests()
	// Applying a saved plan starts one provider process.
	w.run(true, "apply", "-input=false", "tfplan")
	if got := sim.TokenRequests() - before; got != 2 {
		t.Fatalf("%d token requests for 20 resources in one provider process, want 2 (one per side)", got)
	}
	if sim.LinkCount() != 10 {
		t.Fatalf("%d links", sim.LinkCount())
	}
	for _, r := range sim.Requests() {
		if r.Route != simulator.RouteOAuthToken && r.Auth != "bearer" {
			t.Fatalf("%s %s authenticated with %s", r.Method, r.Path, r.Auth)
		}
	}
	w.run(true, "destroy", "-auto-approve", "-input=false")
}
