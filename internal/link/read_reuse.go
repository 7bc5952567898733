package link

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// A read is not made again when an answer to the same question is already at
// hand and still fresh. Two checks ask questions that other steps have often
// just answered:
//
//   - the plan-time proof of the source credentials (proveOpsManager) before
//     an unlink asks "do these credentials work for this organization?". A
//     refresh that read the link's status answered it. In a normal plan the
//     refresh runs in the plan's own process (orgGuard.markProved); terraform
//     destroy refreshes in one provider process and plans in the next, so the
//     refresh also records its answer in the link's private state
//     (privStatusRead): which organization, when, and a fingerprint of the
//     base URL and credentials it was read with. The destroy plan takes it
//     as the proof only for the same organization and the same credentials
//     (a changed or wrong key never matches), and only while it is fresh:
//     read at most proofFreshFor ago (a -refresh=false plan of an old state,
//     or a refresh of a large fleet that took longer, proves again).
//     Nothing else changes: a plan whose refresh failed never gets that far.
//   - the check before linking asks "does the organization have a link?".
//     When the same apply process unlinked that organization a moment ago
//     (the old object of a re-link: Terraform deletes it before creating the
//     new one, unless create_before_destroy, whose new object comes first and
//     is still checked and refused), the unlink's answer is the check's: no
//     link. It is taken only within the same provider process and for at
//     most absenceFreshFor, a gap of the order the check itself leaves
//     between its read and the link request when the rate limit holds that
//     request.
//
// The pre-flight checks of live migrations share their answers within the
// process for a short window (internal/migration/shared_reads.go).
//
// The proofs of the Atlas credentials (proveAtlas) have no refresh to reuse,
// since the link token API has no read: an atlasmig_available_projects data
// source read of the organization in the same plan counts as the proof, and
// otherwise the proof is made, and either list is the one the plan compares
// with its links' projects (org_exposure.go). Every safety decision at apply
// (the list of available projects right before a removal, the answers of the
// removal and the unlink) is always read from the API.
const (
	proofFreshFor    = 5 * time.Minute
	absenceFreshFor  = time.Minute
	futureReadMargin = 5 * time.Second
)

// privStatusRead is the private-state key of a link's last successful status
// read (see statusRead).
const privStatusRead = "status_read"

// statusRead records a successful read of a link's status: the organization,
// when (Unix milliseconds), and which API and credentials answered (a
// fingerprint, never a secret).
type statusRead struct {
	OrgID string `json:"org"`
	At    int64  `json:"at"`
	Creds string `json:"creds"`
}

// provesFor reports whether the read proves the credentials creds for
// organization orgID at now.
func (s statusRead) provesFor(orgID, creds string, now time.Time) bool {
	if s.OrgID == "" || s.OrgID != orgID || s.Creds == "" || s.Creds != creds {
		return false
	}
	at := time.UnixMilli(s.At)
	// A time ahead of this clock (another machine's) is not trusted.
	return !at.After(now.Add(futureReadMargin)) && now.Sub(at) <= proofFreshFor
}

// recordStatusRead keeps a successful status read in the link's private
// state, for the plan that follows in another provider process.
func recordStatusRead(ctx context.Context, p privateStateWriter, om *client.OpsManager, orgID string, now time.Time) diag.Diagnostics {
	if p == nil {
		return nil
	}
	return setPrivateJSON(ctx, p, privStatusRead, statusRead{OrgID: orgID, At: now.UnixMilli(), Creds: om.CredentialsFingerprint()})
}

// reuseStatusRead counts the link's last status read, when it is fresh and
// made with the same credentials, as the proof of the source credentials for
// the organization.
func reuseStatusRead(ctx context.Context, p privateState, guard *orgGuard, om *client.OpsManager, orgID string, now time.Time) {
	var read statusRead
	if found, diags := getPrivateJSON(ctx, p, privStatusRead, &read); !found || diags.HasError() {
		return
	}
	if read.provesFor(orgID, om.CredentialsFingerprint(), now) {
		tflog.Debug(ctx, "the refresh's status read proves the source credentials; no proof read", map[string]any{"org_id": orgID})
		guard.markProved(omProofKey(orgID))
	}
}

// answers holds what this provider process learned from the API that a later
// check may take as its own answer.
type answers struct {
	mu       sync.Mutex
	unlinked map[string]time.Time // source organization → when this process unlinked it
}

// noteUnlinked records that this process unlinked the organization (or found
// it unlinked already).
func (a *answers) noteUnlinked(orgID string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.unlinked == nil {
		a.unlinked = map[string]time.Time{}
	}
	a.unlinked[orgID] = now
}

// unlinkedRecently reports whether this process unlinked the organization at
// most absenceFreshFor before now. The answer is taken once: a second link
// of the same organization in the same apply reads the API again.
func (a *answers) unlinkedRecently(orgID string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.unlinked[orgID]
	delete(a.unlinked, orgID)
	return ok && !at.After(now) && now.Sub(at) <= absenceFreshFor
}

// errUnlinkedHere answers the check before linking for an organization this
// process has just unlinked.
var errUnlinkedHere = errors.New("unlinked by this apply a moment ago")

// statusBeforeLink answers the check before linking: the link's status, or
// errUnlinkedHere when this process has just unlinked the organization.
func (r *migrationLinkResource) statusBeforeLink(ctx context.Context, om *client.OpsManager, orgID string) (string, error) {
	if answersOf(r.data).unlinkedRecently(orgID, time.Now()) {
		tflog.Debug(ctx, "organization unlinked by this apply a moment ago; not reading its status again before linking", map[string]any{"org_id": orgID})
		return "", errUnlinkedHere
	}
	return om.LinkStatus(ctx, orgID)
}

// answersKey keys the answers in the provider instance's state.
type answersKey struct{}

// answersOf returns the answers of this provider process.
func answersOf(d *shared.ProviderData) *answers {
	return shared.State(d, answersKey{}, func() *answers { return &answers{} })
}
