package migration

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privMigration is the private-state key of atlasmig_live_migration.
//
// The state's cutover attribute must equal the configuration after every
// apply that returns no error (Terraform checks it), so it cannot tell on
// its own whether Atlas accepted a cutover: a create with cutover = true
// that stops before the cutover still records true, and undoing a cutover
// records false without changing anything in Atlas. The truth lives here.
const privMigration = "migration"

// privUnannouncedReplace is handed from the first plan of a migration to
// the second one Terraform makes when it replaces the migration without the
// provider asking (-replace, replace_triggered_by): the migration id, set
// when the first plan kept the migration with cutover = true.
const privUnannouncedReplace = "unannounced_replace"

// privPlannedFrom is handed from the first plan of a replacement, which
// sees the prior state and judges the replacement, to the second one, which
// plans the new migration without it: the id of the migration replaced.
// Terraform plans the replacement of a tainted object in one plan, with no
// prior state and no private state, so a create planned without this key is
// either a new resource or such a replacement (see migrationsSeen).
const privPlannedFrom = "planned_from"

// migrationPrivate is what the provider knows of a migration beyond its
// attributes.
type migrationPrivate struct {
	// CutoverRequested is set once Atlas accepted the cutover, or once
	// Atlas reported the migration COMPLETE (a cutover made elsewhere).
	CutoverRequested bool `json:"cutover_requested"`
	// CutoverElsewhere is set with CutoverRequested when a read, not the
	// provider, found the cutover under way: WORKING, no longer ready and
	// without lag after the migration had been seen ready or reporting lag.
	// Atlas documents the lag only before a cutover, so should a later read
	// report a lag again, the cutover was not under way and both are
	// cleared.
	CutoverElsewhere bool `json:"cutover_elsewhere,omitempty"`
	// Starting is set while the apply that created the migration has not
	// seen it leave NEW: the next apply continues that wait.
	Starting bool `json:"starting,omitempty"`
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// readMigrationPrivate returns the private record, or the one an older
// provider implies: it set cutover = true only once Atlas accepted the
// cutover.
func readMigrationPrivate(ctx context.Context, p privateGetter, m *liveMigrationModel) (migrationPrivate, diag.Diagnostics) {
	legacy := migrationPrivate{CutoverRequested: m != nil && m.Cutover.ValueBool()}
	if p == nil {
		return legacy, nil
	}
	raw, diags := p.GetKey(ctx, privMigration)
	if diags.HasError() || len(raw) == 0 {
		return legacy, diags
	}
	var out migrationPrivate
	if err := json.Unmarshal(raw, &out); err != nil {
		return legacy, diags
	}
	return out, diags
}

func writeMigrationPrivate(ctx context.Context, p privateSetter, v migrationPrivate) diag.Diagnostics {
	if p == nil {
		return nil
	}
	raw, _ := json.Marshal(v) // a struct of booleans always encodes
	return p.SetKey(ctx, privMigration, raw)
}
