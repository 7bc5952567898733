variable "atlas_org_id" {
  description = "Destination Atlas organization id."
  type        = string
  default     = "5f1b2c3d4e5f6a7b8c9d0e1f"
}

variable "source_org_id" {
  description = "Source Cloud Manager / Ops Manager organization id."
  type        = string
  default     = "60a1b2c3d4e5f6a7b8c9d0e1"
}

variable "access_list_ips" {
  description = "Addresses allowed to use the API key inside the link token (Ops Manager's external IPs)."
  type        = set(string)
  default     = ["203.0.113.7"]
}

variable "atlas_project_id" {
  description = "Destination Atlas project id."
  type        = string
  default     = "65a1b2c3d4e5f6a7b8c9d0e1"
}

variable "source_project_id" {
  description = "Cloud Manager project holding the deployment to migrate."
  type        = string
  default     = "61b2c3d4e5f6a7b8c9d0e1f2"
}

variable "source_cluster" {
  description = "Name of the source deployment."
  type        = string
  default     = "payments-rs"
}

variable "destination_cluster" {
  description = "Name of the destination Atlas cluster."
  type        = string
  default     = "payments"
}

variable "migration_host" {
  description = "The source project's migration host that runs this migration."
  type        = string
  default     = "mh-1.payments.example.internal"
}

variable "cutover" {
  description = "Cut the migration over: irreversible; stop writes to the source first."
  type        = bool
  default     = false
}
