# Credentials passed as variables: mark them ephemeral (Terraform 1.10 or
# later, OpenTofu 1.11 or later) so they are kept out of saved plan files as
# well as state. A variable that is only `sensitive` is hidden in the output
# but still written into a plan saved with `terraform plan -out`.
# required_version says 1.11, the first release where both support it.
terraform {
  required_version = ">= 1.11"
  required_providers {
    atlasmig = {
      source = "atlasmig/atlasmig"
    }
  }
}

variable "atlas_private_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "ops_manager_private_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "atlasmig" {
  atlas {
    public_key  = "atlaspub1"
    private_key = var.atlas_private_key
  }

  ops_manager {
    public_key  = "ompub1"
    private_key = var.ops_manager_private_key
  }
}
