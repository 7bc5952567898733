# Migrates one Cloud Manager deployment into an Atlas cluster through an
# existing link. Apply once with cutover = false: the migration is validated,
# started and syncing. When ready_for_cutover is true and the application has
# stopped writing to the source, set cutover = true in a reviewed change.
resource "atlasmig_live_migration" "orders" {
  project_id = "65a1b2c3d4e5f6a7b8c9d0e1" # destination Atlas project

  source {
    project_id   = "64f0e1d2c3b4a5968778695a" # Cloud Manager project
    cluster_name = "orders-rs"
    ssl          = true
  }

  destination {
    cluster_name = "orders"
  }

  migration_host = "mh-1.example.internal"
  cutover        = false

  timeouts {
    create = "1h"
    update = "24h"
  }

  # When the link is created in the same configuration, add
  # depends_on = [atlasmig_migration_link.<name>] so it exists first.
}
