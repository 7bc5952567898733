output "links" {
  description = "Each source organization's link status: SYNCED once linked."
  value       = { for org, l in atlasmig_migration_link.source : org => l.status }
}

output "exposed" {
  description = "Every deployment the links expose, as <source project>/<deployment> => its migration hosts."
  value       = { for key, d in local.exposed : key => d.migration_hosts }
}

output "fleet" {
  description = "Each migration as Atlas reported it at the last refresh."
  value = {
    for key, m in atlasmig_live_migration.fleet : key => {
      migration_id      = m.migration_id
      status            = m.status
      ready_for_cutover = m.ready_for_cutover
      lag_time_seconds  = m.lag_time_seconds
      cutover           = m.cutover
    }
  }
}

output "next_wave" {
  description = "Migrations ready for cutover and not yet in var.cutover: candidates for the next wave."
  value       = sort([for key, p in local.progress : key if p.ready && !p.in_wave])
}
