# Read a link without managing it, for example in the workspace that owns the
# Atlas side, and stop the run early when it is not healthy.
data "atlasmig_migration_link" "source" {
  org_id = "60a1b2c3d4e5f6a7b8c9d0e1"
}

check "link_is_healthy" {
  assert {
    condition     = data.atlasmig_migration_link.source.status == "SYNCED" # null when not linked
    error_message = "Organization 60a1b2c3d4e5f6a7b8c9d0e1 is not linked to Atlas, or its link is not SYNCED."
  }
}
