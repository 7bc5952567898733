output "link_status" {
  description = "SYNCED once the source organization is linked to Atlas."
  value       = atlasmig_migration_link.this.status
}

output "deployments" {
  description = "Deployments the link exposes, as project/deployment => MongoDB version."
  value = merge([
    for p in data.atlasmig_available_projects.this.projects : {
      for d in p.deployments : "${p.name}/${d.name}" => d.mongodb_version
    }
  ]...)
}

output "migration" {
  description = "The migration as Atlas reports it."
  value = {
    id                = atlasmig_live_migration.this.migration_id
    status            = atlasmig_live_migration.this.status
    ready_for_cutover = atlasmig_live_migration.this.ready_for_cutover
    lag_time_seconds  = atlasmig_live_migration.this.lag_time_seconds
  }
}
