package link

import (
	"cmp"
	"context"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// waitForSynced polls the status until it is SYNCED or the context ends.
func waitForSynced(ctx context.Context, om *client.OpsManager, orgID string, p shared.Polling) (string, error) {
	last := ""
	err := shared.Poll(ctx, p, linkSyncedPace(), "the link of organization "+orgID+" to be SYNCED", false, &shared.Sighting{Status: "not SYNCED"}, func() (bool, shared.Sighting, error) {
		status, err := om.LinkStatus(ctx, orgID)
		if err != nil && !client.IsNotFound(err) {
			return false, shared.Sighting{}, err
		}
		if err == nil {
			last = status
		}
		return status == client.StatusSynced, shared.SawStatus(cmp.Or(status, "no link")), nil
	})
	if err != nil {
		return last, err
	}
	return client.StatusSynced, nil
}

// linkSyncedPace is the schedule of the wait for SYNCED.
func linkSyncedPace() shared.Pace {
	return &shared.Backoff{Initial: 2 * time.Second, Growth: 2, Max: 15 * time.Second}
}
