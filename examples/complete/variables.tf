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
