package resources

import (
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

func TestHealthyMigrationsIntoACluster(t *testing.T) {
	d := &ProviderData{}
	d.rememberMigration(tGroup, "orders", seenMigration{ID: "b", Status: client.MigrationWorking})
	d.rememberMigration(tGroup, "orders", seenMigration{ID: "a", Status: client.MigrationFailed})
	d.rememberMigration(tGroup, "orders", seenMigration{ID: "c", Status: client.MigrationExpired, CutOver: true})
	d.rememberMigration(tGroup, "orders-2", seenMigration{ID: "d", Status: client.MigrationExpired})
	d.rememberMigration(tGroup, "", seenMigration{ID: "e", Status: client.MigrationWorking})
	// A later read of the same migration replaces the earlier one.
	d.rememberMigration(tGroup, "orders", seenMigration{ID: "b", Status: client.MigrationComplete})
	got := d.healthyMigrationsInto(tGroup, "orders")
	if len(got) != 2 || got[0].ID != "b" || got[0].Status != client.MigrationComplete || got[1].ID != "c" {
		t.Fatalf("orders: %+v", got)
	}
	if got := d.healthyMigrationsInto(tGroup, "orders-2"); len(got) != 0 {
		t.Fatalf("orders-2: %+v", got)
	}
	if got := d.healthyMigrationsInto("65a1b2c3d4e5f6a7b8c9d0ff", "orders"); len(got) != 0 {
		t.Fatalf("another project: %+v", got)
	}
	var none *ProviderData
	none.rememberMigration(tGroup, "orders", seenMigration{ID: "x"})
	if got := none.healthyMigrationsInto(tGroup, "orders"); got != nil {
		t.Fatalf("nil provider data: %+v", got)
	}
}
