# A link token in the destination Atlas organization. Ops Manager's external
# addresses must be on the token's access list; Cloud Manager's are known to
# Atlas, so the list may stay empty there.
resource "atlasmig_link_token" "this" {
  org_id          = "5f1b2c3d4e5f6a7b8c9d0e1f"
  access_list_ips = ["203.0.113.7", "198.51.100.0/24"]
}
