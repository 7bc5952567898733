package shared

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// APISide names one of the two APIs in diagnostics, with the provider block
// that configures it, so every message can say exactly what to change.
type APISide struct {
	label        string
	block        string
	caCertEnvVar string
}

// The two APIs.
var (
	AtlasSide      = APISide{label: "Atlas", block: "atlas", caCertEnvVar: "ATLASMIG_ATLAS_CA_CERT_FILE"}
	OpsManagerSide = APISide{label: "Cloud Manager / Ops Manager", block: "ops_manager", caCertEnvVar: "MCLI_OPS_MANAGER_CA_CERTIFICATE"}
)

// AddAPIError appends a diagnostic for a failed API call. action completes the
// sentence "Could not ..." and must carry no secret.
func AddAPIError(diags *diag.Diagnostics, side APISide, action string, err error) {
	summary, detail := DescribeAPIError(side, action, err)
	diags.AddError(summary, detail)
}

// DescribeAPIError turns a client error into a summary and a detail that say
// what happened, what to do next, and what the API answered. The client
// scrubs secrets from its errors; nothing here adds one.
func DescribeAPIError(side APISide, action string, err error) (string, string) {
	if errors.Is(err, context.Canceled) {
		// Terraform cancels the provider's requests when it is interrupted
		// (Ctrl-C, SIGTERM): nothing is wrong with the network.
		return "Operation Interrupted",
			fmt.Sprintf("Could not %s: Terraform was interrupted (Ctrl-C or a stop signal) before the operation finished (%s). "+
				"The connection to %s was fine. Run terraform apply again to continue.", action, err, side.label)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Operation Timed Out",
			fmt.Sprintf("Could not %s before the operation's timeout expired (%s). The API may be slow or rate limiting; raise the resource's timeouts block or the provider's request_timeout, then run again.", action, err)
	}
	if client.IsCertificateError(err) {
		fix := fmt.Sprintf("If %s uses a private certificate authority, set %s.ca_cert_file", side.label, side.block)
		if side.caCertEnvVar != "" {
			fix += " (or the environment variable " + side.caCertEnvVar + ")"
		}
		fix += " to the authority's PEM bundle."
		return "TLS Certificate Not Trusted",
			fmt.Sprintf("Could not %s: the server's TLS certificate could not be verified: %s.\n\n%s", action, err, fix)
	}

	if client.IsUnexpectedAnswer(err) {
		return fmt.Sprintf("Unexpected Answer From %s", side.label),
			fmt.Sprintf("Could not %s: %s.\n\nSomething other than the %s API answered: check that %s.base_url is the API's address (not a web page or a login portal), and that no proxy answers in its place (HTTPS_PROXY, NO_PROXY), then run again.", action, err, side.label, side.block)
	}
	apiErr, ok := client.AsAPIError(err)
	if !ok {
		return fmt.Sprintf("Cannot Reach %s", side.label),
			fmt.Sprintf("Could not %s: %s.\n\nCheck %s.base_url, the network path and any proxy settings (HTTPS_PROXY, NO_PROXY), then run again.", action, err, side.block)
	}

	if apiErr.SkippedWait > 0 {
		return side.label + " Asked To Wait Longer Than The Timeout",
			fmt.Sprintf("Could not %s: the API answered HTTP %d and the next retry would wait %s (the API's Retry-After plus back-off), "+
				"longer than what is left of the operation's timeout, so the provider stopped at once instead of waiting. "+
				"Run again after that wait, or raise the resource's timeouts block.\n\n%s",
				action, apiErr.StatusCode, apiErr.SkippedWait.Round(time.Second), APIAnswer(apiErr))
	}
	if client.IsRateLimited(apiErr) {
		// Checked before the foreign-answer rule: Atlas rate limits the
		// unauthenticated digest challenge too, so a 429 that carries no
		// credentials check still comes from the API's rate limiter.
		return side.label + " Rate Limit Exceeded",
			fmt.Sprintf("Could not %s: %s answered HTTP 429 Too Many Requests after the provider's retries: its rate limit, which counts every request, "+
				"the digest authentication challenge included. This is not a problem with %s.base_url or the credentials. Wait a minute and run again; "+
				"raise the provider's max_retries or lower terraform's -parallelism.\n\n%s", action, side.label, side.block, APIAnswer(apiErr))
	}
	if client.IsForeignAnswer(apiErr) {
		why := "without MongoDB's JSON error document"
		if !apiErr.Authenticated {
			why = "without asking for or checking credentials"
		}
		return "Unexpected Answer From " + side.label,
			fmt.Sprintf("Could not %s: the server answered HTTP %d %s, so the answer did not come from the %s API. "+
				"Check %s.base_url: it must be the API's scheme, host and port only (such as %s), and any proxy in between (HTTPS_PROXY, NO_PROXY). "+
				"Nothing was assumed to be removed.\n\n%s",
				action, apiErr.StatusCode, why, side.label, side.block, "https://cloud.mongodb.com", APIAnswer(apiErr))
	}

	var summary, advice string
	switch {
	case client.IsUnauthorized(err):
		summary = side.label + " Rejected The Credentials"
		advice = fmt.Sprintf("Check that %[1]s.public_key and %[1]s.private_key (or %[1]s.client_id and %[1]s.client_secret, or their environment variables) belong to an enabled %[2]s API key or service account, and that the key is for %[3]s.", side.block, side.label, hostOf(side))
	case client.IsForbidden(err):
		summary = "Permission Denied By " + side.label
		advice = fmt.Sprintf("The %s credentials need the Organization Owner role on this organization, and the IP address of the machine running Terraform must be on the API key's access list. Grant the role or add the address, then run again.", side.label)
	case client.IsNotFound(err):
		summary = side.label + " Resource Not Found"
		advice = "Check that the organization id is right and that the credentials belong to that organization."
	case client.IsConflict(err):
		summary = side.label + " Refused The Change"
		advice = "The organization is in a state that does not allow this change; resolve the conflict the API describes below, then run again."
	case client.IsRateLimited(err):
		summary = side.label + " Rate Limit Exceeded"
		advice = "The API kept answering 429 after the provider's retries. Raise the provider's max_retries, lower terraform's -parallelism, or run again later."
	case client.IsServerError(err):
		summary = side.label + " API Error"
		advice = "The API failed on its side; this is usually temporary. Run again later; if it persists, give MongoDB support the request id below."
	case client.IsBadRequest(err):
		summary = side.label + " Rejected The Request"
		advice = "Correct the values the API names below, then run again."
	default:
		summary = side.label + " API Error"
		advice = "See the API's answer below."
	}
	return summary, fmt.Sprintf("Could not %s. %s\n\n%s", action, advice, APIAnswer(apiErr))
}

// APIAnswer renders what the API said, with its error code, so users can
// search MongoDB's documentation for it.
func APIAnswer(e *client.APIError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "API answer: HTTP %d %s", e.StatusCode, e.StatusText())
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, ", error code %s", e.ErrorCode)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  - %s: %s", f.Field, f.Description)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "\nRequest id: %s", e.RequestID)
	}
	return b.String()
}

func hostOf(side APISide) string {
	if side.block == "atlas" {
		return "the Atlas organization (destination)"
	}
	return "the Cloud Manager / Ops Manager organization (source)"
}
