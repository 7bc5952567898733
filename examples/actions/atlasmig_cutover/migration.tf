# The migration the examples cut over (not rendered in the docs).
resource "atlasmig_live_migration" "orders" {
  project_id = "65a1b2c3d4e5f6a7b8c9d0e1"

  source {
    project_id   = "64f0e1d2c3b4a5968778695a"
    cluster_name = "orders-rs"
  }

  destination {
    cluster_name = "orders"
  }

  migration_host = "mh-1.example.internal"
}
