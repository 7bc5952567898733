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
