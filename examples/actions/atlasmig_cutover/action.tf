# Cuts over the migration declared as atlasmig_live_migration.orders when
# invoked on purpose:
#
#   terraform apply -invoke=action.atlasmig_cutover.orders
#
# The resource keeps cutover = false: the action, not a configuration
# change, performs the cutover, and the resource's next plan is empty.
terraform {
  required_version = ">= 1.14"
}

action "atlasmig_cutover" "orders" {
  config {
    project_id   = atlasmig_live_migration.orders.project_id
    migration_id = atlasmig_live_migration.orders.migration_id
    timeout      = "24h" # the default; bounds the wait for readiness and for COMPLETE
  }
}
