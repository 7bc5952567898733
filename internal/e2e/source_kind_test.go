package e2e

import (
	"strings"
	"testing"
)

// TestSourceKindDecidesTheOpsManagerWarning plans a migration of a MongoDB
// 7.0 deployment with the source on a loopback host. The host alone says
// nothing about what the source is, so without ops_manager.kind the provider
// takes it for an Ops Manager and warns that push live migration from Ops
// Manager does not support 6.0 and later; ATLASMIG_OPS_MANAGER_KIND (what
// the simulator prints) says Cloud Manager, and the attribute wins over it.
func TestSourceKindDecidesTheOpsManagerWarning(t *testing.T) {
	sim, env := linkedShop(t, shop{clusters: []string{"orders"}, hosts: []string{"mh-1"}, deployments: []string{"orders-rs"}}, nil)
	env["MCLI_OPS_MANAGER_URL"], env["MCLI_PUBLIC_API_KEY"], env["MCLI_PRIVATE_API_KEY"] = sim.URL, omPub, omPriv
	hcl := requiredProviders + `
variable "kind" {
  type    = string
  default = null
}

provider "atlasmig" {
  ops_manager {
    kind = var.kind
  }
}
` + ordersMigration("orders", "")
	const warning = `"severity":"warning","summary":"Ops Manager Source Not Supported"`
	host := strings.TrimPrefix(strings.TrimPrefix(sim.URL, "http://"), "https://")
	host = host[:strings.LastIndexByte(host, ':')]
	for _, c := range []struct {
		name, envKind string
		args          []string
		warns         bool
	}{
		{name: "no kind: a loopback host is an Ops Manager like any other host", warns: true},
		{name: "ATLASMIG_OPS_MANAGER_KIND=cloud_manager", envKind: "cloud_manager"},
		{name: "kind = ops_manager wins over the environment", envKind: "cloud_manager", args: []string{"-var", "kind=ops_manager"}, warns: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range env {
				vars[k] = v
			}
			if c.envKind != "" {
				vars["ATLASMIG_OPS_MANAGER_KIND"] = c.envKind
			}
			w := newWorkspace(t, vars)
			w.write("main.tf", hcl)
			out := w.run(true, append([]string{"plan", "-input=false", "-json"}, c.args...)...)
			flat := strings.Join(strings.Fields(out), " ")
			if got := strings.Contains(flat, warning); got != c.warns {
				t.Fatalf("Ops Manager warning shown: %t, want %t:\n%s", got, c.warns, out)
			}
			if c.warns {
				want := "The source is Ops Manager (" + host + ") and deployment orders-rs runs MongoDB 7.0.13: push live migration from Ops Manager is not supported for MongoDB 6.0 and later."
				if !strings.Contains(flat, want) {
					t.Errorf("the warning does not say %q:\n%s", want, out)
				}
			}
			if !strings.Contains(flat, `"type":"change_summary"`) || strings.Contains(flat, `"severity":"error"`) {
				t.Errorf("the plan did not end cleanly:\n%s", out)
			}
		})
	}
}
