# Both sides with programmatic API keys (HTTP Digest). The keys usually come
# from the environment instead: MONGODB_ATLAS_PUBLIC_KEY / MONGODB_ATLAS_PRIVATE_KEY
# for Atlas, MCLI_PUBLIC_API_KEY / MCLI_PRIVATE_API_KEY for Cloud Manager or
# Ops Manager; an empty block, or none, then suffices.
provider "atlasmig" {
  atlas {
    public_key  = var.atlas_public_key
    private_key = var.atlas_private_key
  }

  ops_manager {
    # Cloud Manager is the default; set your Ops Manager's URL here.
    base_url    = "https://cloud.mongodb.com"
    public_key  = var.ops_manager_public_key
    private_key = var.ops_manager_private_key
  }
}

variable "atlas_public_key" {
  type = string
}

variable "atlas_private_key" {
  type      = string
  sensitive = true
}

variable "ops_manager_public_key" {
  type = string
}

variable "ops_manager_private_key" {
  type      = string
  sensitive = true
}
