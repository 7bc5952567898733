# Atlas and Cloud Manager with service accounts (OAuth 2.0 client
# credentials). The provider requests one access token per side and reuses it
# for the whole run. For Atlas, MONGODB_ATLAS_CLIENT_ID and
# MONGODB_ATLAS_CLIENT_SECRET work too.
provider "atlasmig" {
  alias = "service_accounts"

  atlas {
    client_id     = var.atlas_client_id
    client_secret = var.atlas_client_secret
  }

  ops_manager {
    client_id     = var.cloud_manager_client_id
    client_secret = var.cloud_manager_client_secret
  }

  # Retries after 429 and transient failures, honouring Retry-After.
  max_retries     = 8
  request_timeout = "30s"
}

variable "atlas_client_id" {
  type = string
}

variable "atlas_client_secret" {
  type      = string
  sensitive = true
}

variable "cloud_manager_client_id" {
  type = string
}

variable "cloud_manager_client_secret" {
  type      = string
  sensitive = true
}
