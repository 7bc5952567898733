// Package migration holds the push live migration: the
// atlasmig_live_migration resource and data source, the atlasmig_cutover
// action and the cutover sequence both run (cutover.go), the pre-flight
// checks (live_migration_preflight.go) with the reads they share within one
// provider process (shared_reads.go), and the waits for a migration's start,
// readiness and completion (live_migration_wait.go).
//
// One file per kind, each with its test twin; types are unexported and
// the provider lists the exported constructors (NewLiveMigrationResource,
// ...). Tests that drive Terraform live in package migration_test, with the
// helpers of internal/acctest.
//
// The package knows nothing of the link's resources (internal/link): it
// learns of the links a plan makes through internal/shared, like everything
// else both rooms need.
package migration
