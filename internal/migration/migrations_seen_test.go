package migration

import (
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

func TestHealthyMigrationsIntoACluster(t *testing.T) {
	d := &shared.ProviderData{}
	rememberMigration(d, tGroup, "orders", seenMigration{ID: "b", Status: client.MigrationWorking})
	rememberMigration(d, tGroup, "orders", seenMigration{ID: "a", Status: client.MigrationFailed})
	rememberMigration(d, tGroup, "orders", seenMigration{ID: "c", Status: client.MigrationExpired, CutOver: true})
	rememberMigration(d, tGroup, "orders-2", seenMigration{ID: "d", Status: client.MigrationExpired})
	rememberMigration(d, tGroup, "", seenMigration{ID: "e", Status: client.MigrationWorking})
	// A later read of the same migration replaces the earlier one.
	rememberMigration(d, tGroup, "orders", seenMigration{ID: "b", Status: client.MigrationComplete})
	got := healthyMigrationsInto(d, tGroup, "orders")
	if len(got) != 2 || got[0].ID != "b" || got[0].Status != client.MigrationComplete || got[1].ID != "c" {
		t.Fatalf("orders: %+v", got)
	}
	if got := healthyMigrationsInto(d, tGroup, "orders-2"); len(got) != 0 {
		t.Fatalf("orders-2: %+v", got)
	}
	if got := healthyMigrationsInto(d, "65a1b2c3d4e5f6a7b8c9d0ff", "orders"); len(got) != 0 {
		t.Fatalf("another project: %+v", got)
	}
	var none *shared.ProviderData
	rememberMigration(none, tGroup, "orders", seenMigration{ID: "x"})
	if got := healthyMigrationsInto(none, tGroup, "orders"); got != nil {
		t.Fatalf("nil provider data: %+v", got)
	}
}
