// Package link holds the link between a Cloud Manager / Ops Manager
// organization and an Atlas organization: the atlasmig_link_token and
// atlasmig_migration_link resources, the atlasmig_available_projects and
// atlasmig_migration_link data sources, and the organization guard that
// proves every organization-wide token removal safe before it is sent
// (org_guard.go, link_safety.go, org_exposure.go, read_reuse.go).
//
// One file per kind, each with its test twin; types are unexported and
// the provider lists the exported constructors (NewLinkTokenResource, ...).
// Tests that drive Terraform live in package link_test, with the helpers of
// internal/acctest.
//
// The package knows nothing of live migrations (internal/migration): what
// both rooms need — the provider's data, the diagnostics, the poller, the
// timeouts rule and the links a plan makes — is in internal/shared.
package link
