# An Ops Manager whose certificate is issued by a private certificate
# authority: trust that authority in addition to the system roots.
# MCLI_OPS_MANAGER_URL and MCLI_OPS_MANAGER_CA_CERTIFICATE work too.
provider "atlasmig" {
  alias = "ops_manager_tls"

  ops_manager {
    base_url     = "https://opsmanager.example.internal:8443"
    ca_cert_file = "/etc/pki/opsmanager-ca.pem"
  }
}
