variable "atlas_org_id" {
  description = "The destination Atlas organization: it issues one link token per source organization."
  type        = string
  default     = "5f1b2c3d4e5f6a7b8c9d0e1f"
}

variable "source_org_ids" {
  description = "The source Cloud Manager / Ops Manager organizations, each linked with its own token."
  type        = set(string)
  default     = ["60a1b2c3d4e5f6a7b8c9d0e1", "60a1b2c3d4e5f6a7b8c9d0e2"]
}

variable "access_list_ips" {
  description = "Addresses allowed to use the API key inside each link token: Ops Manager's external IPs (Cloud Manager's are known to Atlas)."
  type        = set(string)
  default     = []
}

variable "fleet" {
  description = <<-EOT
    The deployments to migrate, keyed "<source project name>/<deployment name>" as
    atlasmig_available_projects lists them: the destination Atlas project and cluster,
    and the migration host (one of the source project's migration_hosts; a host serves
    one migration at a time).
  EOT
  type = map(object({
    atlas_project_id    = string
    destination_cluster = string
    migration_host      = string
  }))
  default = {
    "payments/payments-rs" = {
      atlas_project_id    = "65a1b2c3d4e5f6a7b8c9d0e1"
      destination_cluster = "payments"
      migration_host      = "mh-1.payments.example.internal"
    }
    "payments/ledger-rs" = {
      atlas_project_id    = "65a1b2c3d4e5f6a7b8c9d0e1"
      destination_cluster = "ledger"
      migration_host      = "mh-2.payments.example.internal"
    }
    "catalog/catalog-rs" = {
      atlas_project_id    = "65a1b2c3d4e5f6a7b8c9d0e2"
      destination_cluster = "catalog"
      migration_host      = "mh-1.catalog.example.internal"
    }
    "catalog/search-rs" = {
      atlas_project_id    = "65a1b2c3d4e5f6a7b8c9d0e2"
      destination_cluster = "search"
      migration_host      = "mh-2.catalog.example.internal"
    }
  }

  validation {
    condition     = alltrue([for f in values(var.fleet) : can(regex("^[a-f0-9]{24}$", f.atlas_project_id))])
    error_message = "Every atlas_project_id must be 24 lowercase hexadecimal characters."
  }
}

variable "cutover" {
  description = <<-EOT
    The cutover waves: "<source project name>/<deployment name>" = true cuts that
    deployment over (irreversible: stop the application's writes to the source first).
    Add a wave's keys in one reviewed change; never set a key back to false.
  EOT
  type        = map(bool)
  default     = {}
}
