# A source without automation-managed authentication: the password is a
# write-only argument (Terraform 1.11 or later), never stored in plan or state.
terraform {
  required_version = ">= 1.11"
}

variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "atlasmig_live_migration" "ledger" {
  project_id = "65a1b2c3d4e5f6a7b8c9d0e1"

  source {
    project_id             = "64f0e1d2c3b4a5968778695a"
    cluster_name           = "ledger-rs"
    managed_authentication = false
    username               = "migrator"
    password_wo            = var.source_password
    password_wo_version    = 1
    ca_certificate_path    = "/etc/ssl/source-ca.pem" # on the migration host
  }

  destination {
    cluster_name         = "ledger"
    hostname_schema_type = "PUBLIC"
  }

  migration_host        = "mh-2.example.internal"
  drop_destination_data = false

  # Replica set into a sharded cluster only.
  sharding {
    create_supporting_indexes = true
    entry {
      database   = "ledger"
      collection = "entries"
      key        = ["account_id"]
    }
  }
}
