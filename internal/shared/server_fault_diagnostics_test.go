package shared

import (
	"strings"
	"testing"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// A 5xx on the digest challenge (a request without credentials) is the API
// failing, reported as such, not as "something else answered: check
// atlas.base_url".
func TestServerErrorOnTheChallengeIsAServerFault(t *testing.T) {
	t.Parallel()
	for _, e := range []*client.APIError{
		{StatusCode: 500, ErrorCode: "UNEXPECTED_ERROR", Reason: "Internal Server Error", Detail: "Unexpected error.", FromAPI: true, Method: "PUT", Path: "/api/atlas/v2/groups/g/liveMigrations/m/cutover"},
		{StatusCode: 502, Reason: "Bad Gateway", Detail: "the server answered with a non-JSON body (text/html)", Method: "PUT", Path: "/api/atlas/v2/groups/g/liveMigrations/m/cutover"},
	} {
		summary, detail := DescribeAPIError(AtlasSide, "cut over migration m", e)
		if summary != "Atlas API Error" || !strings.Contains(detail, "failed on its side") || strings.Contains(detail, "base_url") {
			t.Errorf("HTTP %d on the challenge: %q\n%s", e.StatusCode, summary, detail)
		}
	}
}
