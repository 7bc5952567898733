output "link_status" {
  description = "SYNCED once the source organization is linked to Atlas."
  value       = atlasmig_migration_link.this.status
}
