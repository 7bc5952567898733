data "atlasmig_live_migration" "orders" {
  project_id   = "65a1b2c3d4e5f6a7b8c9d0e1"
  migration_id = "66b2c3d4e5f6a7b8c9d0e1f2"
}

# Fails the run's checks (as a warning) while the migration is not syncing,
# and when Atlas does not list it (status is then null).
check "orders_migration_healthy" {
  assert {
    condition     = contains(["NEW", "WORKING", "COMPLETE"], coalesce(data.atlasmig_live_migration.orders.status, "NOT LISTED"))
    error_message = "The orders migration is ${coalesce(data.atlasmig_live_migration.orders.status, "not listed by Atlas")}: see the live migration guide."
  }
}

output "orders_ready_for_cutover" {
  value = data.atlasmig_live_migration.orders.ready_for_cutover
}
