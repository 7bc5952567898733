package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// routeEndpoints says which request each fault route names.
var routeEndpoints = map[simulator.Route]string{
	simulator.RouteCreateLinkToken:   "POST   /api/atlas/v2/orgs/{orgId}/liveMigrations/linkTokens",
	simulator.RouteDeleteLinkTokens:  "DELETE /api/atlas/v2/orgs/{orgId}/liveMigrations/linkTokens",
	simulator.RouteAvailableProjects: "GET    /api/atlas/v2/orgs/{orgId}/liveMigrations/availableProjects",
	simulator.RouteLink:              "POST   /api/public/v1.0/orgs/{orgId}/liveExport/migrationLink",
	simulator.RouteLinkStatus:        "GET    /api/public/v1.0/orgs/{orgId}/liveExport/migrationLink/status",
	simulator.RouteUnlink:            "DELETE /api/public/v1.0/orgs/{orgId}/liveExport/migrationLink",
	simulator.RouteGetProject:        "GET    /api/atlas/v2/groups/{groupId}",
	simulator.RouteValidateMigration: "POST   /api/atlas/v2/groups/{groupId}/liveMigrations/validate",
	simulator.RouteGetValidation:     "GET    /api/atlas/v2/groups/{groupId}/liveMigrations/validate/{validationId}",
	simulator.RouteCreateMigration:   "POST   /api/atlas/v2/groups/{groupId}/liveMigrations",
	simulator.RouteGetMigration:      "GET    /api/atlas/v2/groups/{groupId}/liveMigrations/{liveMigrationId}",
	simulator.RouteCutover:           "PUT    /api/atlas/v2/groups/{groupId}/liveMigrations/{liveMigrationId}/cutover",
	simulator.RouteOAuthToken:        "POST   /api/oauth/token",
	simulator.RouteOAuthRevoke:       "POST   /api/oauth/revoke",
}

const usageAfterFlags = `
Fault kinds: a 4xx/5xx status (429, 500, 502, 503, 504, ...), reset-before
(the connection closes, nothing changes), reset-after (the operation runs,
then the connection closes: a lost answer) or latency (with latency=D, on
every request of the route while set). xN repeats a fault N times (default 1);
a digest challenge never consumes one. skip=K lets K requests through first;
challenge puts the fault on the digest challenge leg instead (the request
without credentials; reset-after does not apply there). Examples:
  -fault link:429x2,retry-after=1  -fault createLinkToken:reset-after
  -fault linkStatus:latency,latency=200ms  -fault getMigration:500,skip=3
  -fault cutover:503,challenge

Digest nonces: a nonce serves any number of requests with growing nonce counts
(nc, RFC 7616) for -nonce-ttl (5m, wall clock), then is answered 401 with a new
challenge and stale=true. A count already seen for that nonce, or at least
-nonce-count-window below the highest seen, is refused with 401 and stale=false
(counts of concurrent requests may arrive out of order; 1 makes every count
exceed the earlier ones). -refuse-nonce-reuse makes every nonce single use.
Challenge legs are the requests without credentials: a client that reuses a
nonce sends one only when it has none to answer.

Control API (no authentication, loopback only; never returns token values):
  GET  /_sim/state                 {"linkTokens": {orgId: count}, "links": {orgId: status},
                                    "activeMigrations": {...}, "oauthTokenRequests": n}
  GET  /_sim/requests              {"total", "authenticated", "byRoute", "callsByRoute", "byStatus"}
  POST /_sim/reset-journal         forget the request counts
  POST /_sim/faults                {"route": "link", "fault": {"count": 2, "status": 429,
                                    "retryAfter": "1", "errorCode": "RATE_LIMITED",
                                    "detail": "...", "resetBeforeProcessing": false,
                                    "resetAfterProcessing": false,
                                    "latency": 200000000, "skip": 0,
                                    "challenge": false}}   (latency in nanoseconds)
  POST /_sim/links/{orgId}/remove  unlink a source organization behind Terraform's back
  POST /_sim/tokens/{orgId}/remove remove an Atlas organization's link tokens
  POST /_sim/inventory             {"orgId": "<24 hex>", "projects": [{"projectId", "name",
                                    "migrationHosts": [...], "deployments": [{"name",
                                    "mongoDBVersion", "featureCompatibilityVersion",
                                    "managed", "sharded", "tlsEnabled"}]}]}
  GET  /_sim/migrations            every migration (status, readiness, lag), never a password
  GET  /_sim/atlas-projects        the destination Atlas projects and their clusters
  GET  /_sim/clock                 the simulated time
  POST /_sim/clock                 {"advance": "121h"} | {"speed": 3600} | {"tickPerRead": "1m"}
  POST /_sim/migrations/{id}/fail | /expire | /forget   FAILED, EXPIRED, or the record gone
  POST /_sim/migrations            start one outside Terraform, as the Atlas UI does:
                                   {"groupId", "sourceGroupId", "sourceClusterName",
                                    "destinationClusterName", "migrationHost"} -> {"id"}
  POST /_sim/migrations/{id}/cutover   cut a ready migration over outside Terraform
Answers: 204 on success, 400 for a malformed body or an unknown route, 404 when
there is nothing to remove.

Use it from a shell (the export lines are written before the ready file):
  atlasmig-sim -ready-file sim.ready > sim.env &
  while [ ! -s sim.ready ]; do sleep 0.1; done; . ./sim.env
With -tls -ca-cert-out sim-ca.pem, the export lines also name the certificate
authority for both sides (MCLI_OPS_MANAGER_CA_CERTIFICATE, ATLASMIG_ATLAS_CA_CERT_FILE).
The export lines also tell the provider that the simulator plays Cloud Manager
(ATLASMIG_OPS_MANAGER_KIND=cloud_manager) and, with a -clock-speed above 1, to
scale its waits to that clock (ATLASMIG_SIMULATOR_CLOCK_SPEED).
`

// usage prints the flags, then the fault routes, kinds and control API.
func usage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprintf(w, "Usage: atlasmig-sim [flags]\n\nServes the Atlas (link tokens, available projects, live migrations) and Cloud/Ops Manager link APIs in memory on a loopback address and\nprints export lines with their base URLs and keys.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(w, "\nFault routes (the ROUTE of -fault and of POST /_sim/faults):\n")
		for _, r := range simulator.Routes() {
			fmt.Fprintf(w, "  %-18s %s\n", r, routeEndpoints[r])
		}
		fmt.Fprint(w, usageAfterFlags)
	}
}
