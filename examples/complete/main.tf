# A whole push live migration: a token in the destination Atlas organization,
# the source Cloud Manager organization linked with it, and one deployment
# migrated into an Atlas cluster — validated and started on the first apply,
# cut over by a second, reviewed apply with cutover = true. Credentials and
# URLs come from the environment (see the README); the demo points them at the
# bundled simulator.
terraform {
  required_version = ">= 1.6"

  required_providers {
    atlasmig = {
      source = "atlasmig/atlasmig"
    }
  }
}

provider "atlasmig" {}

resource "atlasmig_link_token" "this" {
  org_id          = var.atlas_org_id
  access_list_ips = var.access_list_ips
}

resource "atlasmig_migration_link" "this" {
  org_id     = var.source_org_id
  link_token = atlasmig_link_token.this.link_token
}

# What the link exposes, read once the link exists (hence depends_on).
data "atlasmig_available_projects" "this" {
  org_id     = var.atlas_org_id
  depends_on = [atlasmig_migration_link.this]
}

data "atlasmig_migration_link" "this" {
  org_id     = var.source_org_id
  depends_on = [atlasmig_migration_link.this]
}

check "link_is_healthy" {
  assert {
    condition     = data.atlasmig_migration_link.this.status == "SYNCED" # null when not linked
    error_message = "The source organization is not linked to Atlas, or its link is not SYNCED."
  }
}

# The migration: validated, started and awaited on apply. Set cutover = true
# (here through the variable) once the application has stopped writing to the
# source: the apply waits for readiness, cuts over and waits for COMPLETE.
resource "atlasmig_live_migration" "this" {
  project_id = var.atlas_project_id

  source {
    project_id   = var.source_project_id
    cluster_name = var.source_cluster
  }

  destination {
    cluster_name = var.destination_cluster
  }

  migration_host = var.migration_host
  cutover        = var.cutover

  depends_on = [atlasmig_migration_link.this]
}
