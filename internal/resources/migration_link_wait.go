package resources

import (
	"cmp"
	"context"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// waitForSynced polls the status until it is SYNCED or the context ends.
func waitForSynced(ctx context.Context, om *client.OpsManager, orgID string, p Polling) (string, error) {
	last := ""
	err := poll(ctx, p, linkSyncedPace(), "the link of organization "+orgID+" to be SYNCED", false, &sighting{Status: "not SYNCED"}, func() (bool, sighting, error) {
		status, err := om.LinkStatus(ctx, orgID)
		if err != nil && !client.IsNotFound(err) {
			return false, sighting{}, err
		}
		if err == nil {
			last = status
		}
		return status == client.StatusSynced, sawStatus(cmp.Or(status, "no link")), nil
	})
	if err != nil {
		return last, err
	}
	return client.StatusSynced, nil
}

// linkSyncedPace is the schedule of the wait for SYNCED.
func linkSyncedPace() pace {
	return &backoff{initial: 2 * time.Second, growth: 2, max: 15 * time.Second}
}
