package client_test

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// leakyLog logs a secret the way a careless transport would, so the leak
// check can prove it notices.
func leakyLog(ctx context.Context, secret string) {
	tflog.Debug(ctx, "API request", map[string]any{"authorization": "Digest password=" + secret})
}
