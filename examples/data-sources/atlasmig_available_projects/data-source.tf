# What the links of an Atlas organization expose: the source projects, their
# deployments and the migration hosts available to them.
data "atlasmig_available_projects" "this" {
  org_id = "5f1b2c3d4e5f6a7b8c9d0e1f"
}

# One entry per deployment, keyed "project/deployment", to drive later
# resources with for_each.
locals {
  deployments = merge([
    for p in data.atlasmig_available_projects.this.projects : {
      for d in p.deployments : "${p.name}/${d.name}" => {
        project_id      = p.project_id
        migration_host  = p.migration_hosts[0]
        mongodb_version = d.mongodb_version
        sharded         = d.sharded
      }
    } if length(p.migration_hosts) > 0
  ]...)
}

resource "terraform_data" "migration_plan" {
  for_each = local.deployments
  input    = each.value
}
