# Terraform 1.11 or later: the link token is passed write-only, so it is
# stored neither in the plan nor in the state. Use this when the token comes
# from another workspace or a secret store (here: TF_VAR_link_token).
terraform {
  required_version = ">= 1.11"
  required_providers {
    atlasmig = {
      source = "atlasmig/atlasmig"
    }
  }
}

variable "link_token" {
  description = "The link token, from a secret store or another workspace."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Bump link_token_wo_version to re-link with a new token.
resource "atlasmig_migration_link" "this" {
  org_id                = "60a1b2c3d4e5f6a7b8c9d0e1"
  link_token_wo         = var.link_token
  link_token_wo_version = 1
}
