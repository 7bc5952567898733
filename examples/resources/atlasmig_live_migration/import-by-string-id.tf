import {
  to = atlasmig_live_migration.orders
  id = "65a1b2c3d4e5f6a7b8c9d0e1/66b2c3d4e5f6a7b8c9d0e1f2"
}
