import {
  to = atlasmig_migration_link.this
  id = "60a1b2c3d4e5f6a7b8c9d0e1"
}
