# A whole push-live-migration link: a token in the destination Atlas
# organization, and the source Cloud Manager / Ops Manager organization linked
# with it. Credentials and URLs come from the environment (see the README); the
# demo points them at the bundled simulator.
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
