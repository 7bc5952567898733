# A migration is imported by <project_id>/<migration_id>. Atlas does not return
# its source or destination: writing them in the configuration afterwards is
# recorded in place, without starting a new migration.
terraform import atlasmig_live_migration.orders 65a1b2c3d4e5f6a7b8c9d0e1/66b2c3d4e5f6a7b8c9d0e1f2
