# Pace the requests to each API yourself when you know the quota, or when
# other automation shares it. Unset, the provider paces by the quota the API
# states, or learns it from the API's answers 429 when it states nothing.
provider "atlasmig" {
  alias = "paced"

  atlas {
    # Leave most of the organization's quota to other automation.
    max_requests_per_second = 5
  }

  ops_manager {
    # Cloud Manager's historical 100 requests a minute.
    max_requests_per_second = 1.6
  }
}
