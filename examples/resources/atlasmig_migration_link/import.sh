# A link is imported by its source organization id. The API cannot tell which
# token a link uses: setting link_token afterwards updates the state without
# re-linking.
terraform import atlasmig_migration_link.this 60a1b2c3d4e5f6a7b8c9d0e1
