# A link token in the destination Atlas organization...
resource "atlasmig_link_token" "this" {
  org_id          = "5f1b2c3d4e5f6a7b8c9d0e1f"
  access_list_ips = ["203.0.113.7"]
}

# ...presented by the source Cloud Manager / Ops Manager organization to link
# itself to Atlas.
resource "atlasmig_migration_link" "this" {
  org_id     = "60a1b2c3d4e5f6a7b8c9d0e1"
  link_token = atlasmig_link_token.this.link_token
}
