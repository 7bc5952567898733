package migration

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// migrationInputs are the values the pre-flight checks need.
type migrationInputs struct {
	projectID, sourceProjectID, clusterName, host string
	ssl                                           bool
}

func (r *liveMigrationResource) warnAtPlan(ctx context.Context, plan *liveMigrationModel, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.ConfigUnknown || r.data.Atlas == nil {
		return
	}
	in, known := inputsOf(ctx, plan)
	if !known {
		return
	}
	problems, notes, err := checkMigration(ctx, r.data, r.data.Atlas, in)
	if err != nil {
		summary, detail := describeMigrationAPIError("check the migration against what Atlas exposes through the link", "project", err)
		resp.Diagnostics.AddWarning(summary, detail+"\n\nThe plan goes on; the same checks run again before the migration is created.")
		return
	}
	for _, p := range problems {
		if p.unlinkedOrg == "" {
			// The source project is visible, so its link is SYNCED: what
			// the inventory lacks now, the create will lack too.
			resp.Diagnostics.AddAttributeError(p.at, "Live Migration Cannot Work", p.text+
				"\n\nThe source project is visible through a SYNCED migration link, so Atlas would refuse this migration: correct the configuration. Nothing was started.")
			continue
		}
		if r.data.PlannedLinks().Covers(p.unlinkedOrg) {
			// The plan creates or keeps a link of this Atlas organization,
			// and the check before the create runs again.
			continue
		}
		resp.Diagnostics.AddAttributeWarning(p.at, "Live Migration Cannot Work", p.text+"\n\nThe link may be created in the same apply; if it is not, the apply fails before anything is started.")
	}
	for _, n := range notes {
		resp.Diagnostics.AddWarning("Ops Manager Source Not Supported", n)
	}
}

func inputsOf(ctx context.Context, m *liveMigrationModel) (migrationInputs, bool) {
	if m.Source.IsNull() || m.Source.IsUnknown() {
		return migrationInputs{}, false
	}
	var s liveMigrationSourceModel
	if diags := m.Source.As(ctx, &s, basetypes.ObjectAsOptions{}); diags.HasError() {
		return migrationInputs{}, false
	}
	for _, v := range []attr.Value{m.ProjectID, m.MigrationHost, s.ProjectID, s.ClusterName, s.SSL} {
		if v.IsUnknown() || v.IsNull() {
			return migrationInputs{}, false
		}
	}
	return migrationInputs{
		projectID: m.ProjectID.ValueString(), sourceProjectID: s.ProjectID.ValueString(), clusterName: s.ClusterName.ValueString(),
		host: m.MigrationHost.ValueString(), ssl: s.SSL.ValueBool(),
	}, true
}

type problem struct {
	at   path.Path
	text string
	// unlinkedOrg is the Atlas organization whose links do not expose the
	// source project, when that is the problem.
	unlinkedOrg string
}

// preflight reads what Atlas exposes through the link — the project's
// organization, that organization's available projects — and returns why
// the migration cannot work, in the same words at plan and at create.
// notes are advice that never blocks.
func preflight(ctx context.Context, reads preflightReads, opsManagerHost string, in migrationInputs) ([]problem, []string, error) {
	project, err := reads.project(ctx, in.projectID)
	if err != nil {
		return nil, nil, err
	}
	available, err := reads.available(ctx, project.OrgID)
	if err != nil {
		return nil, nil, err
	}
	var source *client.AvailableProject
	names := make([]string, 0, len(available))
	for i := range available {
		names = append(names, available[i].ProjectID+" ("+available[i].Name+")")
		if available[i].ProjectID == in.sourceProjectID {
			source = &available[i]
		}
	}
	if source == nil {
		text := fmt.Sprintf("Source project %s is not among the projects Atlas organization %s (of project %s) can see through its migration links", in.sourceProjectID, project.OrgID, in.projectID)
		if len(available) == 0 {
			text += ": it sees none, so no source organization is linked to it with a SYNCED link. Create the link (atlasmig_migration_link) with a link token of this organization, or check its status."
		} else {
			text += fmt.Sprintf(" (available: %s). Check source.project_id, and that the source organization's link is SYNCED.", strings.Join(names, ", "))
		}
		return []problem{{at: path.Root("source").AtName("project_id"), text: text, unlinkedOrg: project.OrgID}}, nil, nil
	}
	var problems []problem
	var notes []string
	hostOK := false
	for _, h := range source.MigrationHosts {
		hostOK = hostOK || h == in.host
	}
	if !hostOK {
		problems = append(problems, problem{at: path.Root("migration_host"), text: fmt.Sprintf("Migration host %s is not a migration host of source project %s (its migration hosts: %s).",
			in.host, in.sourceProjectID, listOrNone(source.MigrationHosts))})
	}
	var deployment *client.Deployment
	deployments := make([]string, 0, len(source.Deployments))
	for i := range source.Deployments {
		deployments = append(deployments, source.Deployments[i].Name)
		if source.Deployments[i].Name == in.clusterName {
			deployment = &source.Deployments[i]
		}
	}
	switch {
	case deployment == nil:
		problems = append(problems, problem{at: path.Root("source").AtName("cluster_name"), text: fmt.Sprintf("Source cluster %s is not a deployment of source project %s (its deployments: %s).",
			in.clusterName, in.sourceProjectID, listOrNone(deployments))})
	case deployment.TLSEnabled != in.ssl:
		problems = append(problems, problem{at: path.Root("source").AtName("ssl"), text: fmt.Sprintf("source.ssl is %t but deployment %s has TLS %s: set ssl = %t.",
			in.ssl, in.clusterName, enabled(deployment.TLSEnabled), deployment.TLSEnabled)})
	}
	if deployment != nil && opsManagerHost != "" && majorAtLeast(deployment.MongoDBVersion, 6) {
		notes = append(notes, fmt.Sprintf("The source is Ops Manager (%s) and deployment %s runs MongoDB %s: push live migration from Ops Manager is not supported "+
			"for MongoDB 6.0 and later. Monitor the deployment with Cloud Manager and migrate from there, or use a pull live migration.", opsManagerHost, in.clusterName, deployment.MongoDBVersion))
	}
	return problems, notes, nil
}

// checkMigration runs the pre-flight checks on the answers this provider
// process shares (see shared_reads.go), and again on fresh ones before it
// reports a problem: a refusal or a warning always rests on a fresh read.
func checkMigration(ctx context.Context, d *shared.ProviderData, atlas *client.Atlas, in migrationInputs) ([]problem, []string, error) {
	shared := sharedReadsOf(d)
	problems, notes, err := preflight(ctx, windowReads{atlas: atlas, shared: shared}, sourceOpsManagerHost(d), in)
	if err != nil || len(problems) == 0 {
		return problems, notes, err
	}
	return preflight(ctx, windowReads{atlas: atlas, shared: shared, fresh: true}, sourceOpsManagerHost(d), in)
}

func listOrNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// sourceOpsManagerHost is the host of the configured source when it is Ops
// Manager, and "" when it is Cloud Manager. The provider configuration
// decides which it is (ops_manager.kind); nothing here guesses from the URL.
func sourceOpsManagerHost(d *shared.ProviderData) string {
	if d == nil || !d.SourceIsOpsManager {
		return ""
	}
	if host := hostOnly(d.SourceBaseURL); host != "" {
		return host
	}
	return "ops_manager.kind = \"ops_manager\""
}

func hostOnly(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func majorAtLeast(version string, major int) bool {
	first, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(first)
	return err == nil && n >= major
}
