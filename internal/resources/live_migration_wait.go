package resources

import (
	"fmt"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// describeMigration renders what Atlas says of a migration, for messages.
func describeMigration(m *client.Migration) string {
	status := m.Status
	if status == "" {
		status = "no status"
	}
	s := fmt.Sprintf("status %s, readyForCutover %t", status, m.ReadyForCutover)
	if m.LagTimeSeconds != nil {
		s += fmt.Sprintf(", lag %d s", *m.LagTimeSeconds)
	}
	return s
}
