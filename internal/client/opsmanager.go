package client

import (
	"context"
	"net/http"
	"net/url"
)

// OpsManager calls the Cloud Manager / Ops Manager Public API v1.0 of the
// source organization.
type OpsManager struct {
	c *core
}

// NewOpsManager returns a client for the Cloud/Ops Manager side.
func NewOpsManager(cfg Config) (*OpsManager, error) {
	c, err := newCore(cfg, jsonMediaType)
	if err != nil {
		return nil, err
	}
	return &OpsManager{c: c}, nil
}

func migrationLinkPath(orgID string) string {
	return "/api/public/v1.0/orgs/" + url.PathEscape(orgID) + "/liveExport/migrationLink"
}

// linkStatus is decoded leniently: an early description of the answer had
// more fields (sourceOrgId, createdAt, ...), which are ignored.
type linkStatus struct {
	Status string `json:"status"`
}

// Link links the organization to Atlas with the token and returns the status
// the API reports, usually "SYNCED".
func (o *OpsManager) Link(ctx context.Context, orgID, linkToken string) (string, error) {
	var out linkStatus
	body := struct {
		LinkToken string `json:"linkToken"`
	}{linkToken}
	err := o.c.do(ctx, http.MethodPost, migrationLinkPath(orgID), body, &out, []int{http.StatusCreated, http.StatusOK}, linkToken)
	return out.Status, err
}

// LinkStatus returns the link's status, passing through values other than
// SYNCED and NOT_SYNCED unchanged. No link answers 404.
func (o *OpsManager) LinkStatus(ctx context.Context, orgID string) (string, error) {
	var out linkStatus
	err := o.c.do(ctx, http.MethodGet, migrationLinkPath(orgID)+"/status", nil, &out, []int{http.StatusOK})
	return out.Status, err
}

// Unlink removes the organization's link, which stops it syncing with Atlas.
func (o *OpsManager) Unlink(ctx context.Context, orgID string) error {
	return o.c.do(ctx, http.MethodDelete, migrationLinkPath(orgID), nil, nil, []int{http.StatusNoContent, http.StatusOK})
}
