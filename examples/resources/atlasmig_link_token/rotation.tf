# Rotating the tokens of an Atlas organization. Atlas removes link tokens only
# organization-wide, so every token of the organization rotates in the same
# apply: one shared value in rotation_triggers. Changing it replaces each token
# (the organization's tokens are removed once) and re-links every source
# organization with its new token.
locals {
  token_rotation = "2026-12"
  source_orgs = {
    payments  = "60a1b2c3d4e5f6a7b8c9d0e1"
    catalogue = "60a1b2c3d4e5f6a7b8c9d0e2"
  }
}

resource "atlasmig_link_token" "src" {
  for_each          = local.source_orgs
  org_id            = "5f1b2c3d4e5f6a7b8c9d0e1f"
  access_list_ips   = ["203.0.113.7"]
  rotation_triggers = { rotated = local.token_rotation }
}

resource "atlasmig_migration_link" "src" {
  for_each   = local.source_orgs
  org_id     = each.value
  link_token = atlasmig_link_token.src[each.key].link_token
}
