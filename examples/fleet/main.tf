# A fleet of push live migrations: several Cloud Manager organizations linked
# into one Atlas organization (one link token and one link per source
# organization), one migration for every deployment of var.fleet that the
# links expose, and cutovers in waves through the var.cutover map, so that each
# wave is a reviewed change. Credentials and URLs come from the environment
# (see the README). The guide "Migrating a fleet" explains every part.
#
# The first apply creates the tokens and the links; nothing is exposed yet, so
# no migration is planned (the check fleet_is_exposed says so). The second
# apply validates and starts every migration. Each later change of var.cutover
# cuts a wave over.
terraform {
  required_version = ">= 1.6"

  required_providers {
    atlasmig = {
      source = "atlasmig/atlasmig"
    }
  }
}

provider "atlasmig" {}

# One token per source organization, all issued by the one Atlas organization.
# Removing a token is organization-wide in Atlas: keep every token of the
# organization in this configuration (see the guide).
resource "atlasmig_link_token" "source" {
  for_each = var.source_org_ids

  org_id          = var.atlas_org_id
  access_list_ips = var.access_list_ips
}

resource "atlasmig_migration_link" "source" {
  for_each = var.source_org_ids

  org_id     = each.key
  link_token = atlasmig_link_token.source[each.key].link_token
}

# What the links expose. No depends_on: the migrations' for_each needs its
# keys while planning, so this data source must be read during the plan.
data "atlasmig_available_projects" "fleet" {
  org_id = var.atlas_org_id
}

locals {
  # Every deployment the links expose, keyed "<source project>/<deployment>".
  # Two source projects with the same name make this fail with "Duplicate
  # object key": rename one, or key by project id instead.
  exposed = {
    for d in flatten([
      for p in data.atlasmig_available_projects.fleet.projects : [
        for dep in p.deployments : {
          key             = "${p.name}/${dep.name}"
          project_id      = p.project_id
          cluster_name    = dep.name
          tls_enabled     = dep.tls_enabled
          migration_hosts = p.migration_hosts
        }
      ]
    ]) : d.key => d
  }

  # The migrations: the exposed deployments that var.fleet places somewhere.
  migrations = {
    for key, d in local.exposed : key => merge(d, var.fleet[key]) if contains(keys(var.fleet), key)
  }
}

resource "atlasmig_live_migration" "fleet" {
  for_each = local.migrations

  project_id = each.value.atlas_project_id

  source {
    project_id   = each.value.project_id
    cluster_name = each.value.cluster_name
    ssl          = each.value.tls_enabled
  }

  destination {
    cluster_name = each.value.destination_cluster
  }

  # A migration host serves one migration at a time: one host per migration
  # that runs concurrently (the check one_migration_per_host).
  migration_host = each.value.migration_host

  # The waves: true once the deployment's key is in var.cutover. Stop the
  # application's writes to the source before applying that change.
  cutover = lookup(var.cutover, each.key, false)

  # Destroy (and rotate) the links only after the migrations.
  depends_on = [atlasmig_migration_link.source]
}

locals {
  # What Atlas reported at the last refresh, per migration.
  progress = {
    for key, m in atlasmig_live_migration.fleet : key => {
      status    = coalesce(m.status, "no status")
      ready     = m.ready_for_cutover
      lag       = m.lag_time_seconds == null ? "no lag reported" : "lag ${m.lag_time_seconds} s"
      cut_over  = m.cutover
      in_wave   = lookup(var.cutover, key, false)
      host      = m.migration_host
      completed = m.status == "COMPLETE"
    }
  }

  not_ready = sort([
    for key, p in local.progress : "${key} (${p.status}, ${p.lag})"
    if !p.ready && !p.cut_over && contains(["NEW", "WORKING", "no status"], p.status)
  ])
  wave_not_ready = sort([
    for key, p in local.progress : "${key} (${p.status}, ${p.lag})"
    if p.in_wave && !p.cut_over && !p.ready
  ])
  stopped = sort([
    for key, p in local.progress : "${key} (${p.status})" if contains(["FAILED", "EXPIRED"], p.status)
  ])
  # Hosts of the fleet's entries whose migration has not completed.
  busy_hosts = [
    for key, f in var.fleet : f.migration_host if !try(local.progress[key].completed, false)
  ]
}

check "links_are_synced" {
  assert {
    condition     = alltrue([for l in atlasmig_migration_link.source : l.status == "SYNCED"])
    error_message = "Links not SYNCED: ${join(", ", sort([for org, l in atlasmig_migration_link.source : "${org} (${coalesce(l.status, "not linked")})" if l.status != "SYNCED"]))}. Their deployments are not exposed, so their migrations cannot start."
  }
}

check "fleet_is_exposed" {
  assert {
    condition     = length(setsubtract(keys(var.fleet), keys(local.exposed))) == 0
    error_message = "No link of Atlas organization ${var.atlas_org_id} exposes ${join(", ", sort(setsubtract(keys(var.fleet), keys(local.exposed))))}, so no migration is planned for them. On the first apply the links do not exist yet: apply again. Otherwise check the keys (\"<source project>/<deployment>\") and the links."
  }
}

check "cutover_keys_are_in_the_fleet" {
  assert {
    condition     = length(setsubtract([for k, v in var.cutover : k if v], keys(var.fleet))) == 0
    error_message = "var.cutover names deployments that are not in var.fleet: ${join(", ", sort(setsubtract([for k, v in var.cutover : k if v], keys(var.fleet))))}."
  }
}

check "one_migration_per_host" {
  assert {
    condition     = length(local.busy_hosts) == length(distinct(local.busy_hosts))
    error_message = "A migration host serves one migration at a time, but var.fleet gives one host to several deployments whose migrations have not completed: ${join(", ", sort(distinct([for h in local.busy_hosts : h if length([for x in local.busy_hosts : x if x == h]) > 1])))}."
  }
}

# Readiness and lag across the fleet: a warning lists every migration that is
# still catching up, until all of them can be cut over.
check "fleet_is_ready" {
  assert {
    condition     = length(local.not_ready) == 0
    error_message = "${length(local.not_ready)} of ${length(local.progress)} migrations are not ready for cutover yet: ${join(", ", local.not_ready)}."
  }
}

check "cutover_wave_is_ready" {
  assert {
    condition     = length(local.wave_not_ready) == 0
    error_message = "In the cutover wave but not ready yet: ${join(", ", local.wave_not_ready)}. The apply waits for each of them, holding one of Terraform's -parallelism workers apiece."
  }
}

check "no_migration_stopped" {
  assert {
    condition     = length(local.stopped) == 0
    error_message = "Stopped by Atlas: ${join(", ", local.stopped)}. The plan replaces each with a new migration (the others are not affected); Atlas emails the reason to the project's owners."
  }
}
