package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Atlas calls the Atlas Admin API v2 of the destination organization.
type Atlas struct {
	c *core
}

// NewAtlas returns a client for the Atlas side. It builds its transport chain
// once; reuse the client so connections and service-account tokens are
// shared.
func NewAtlas(cfg Config) (*Atlas, error) {
	c, err := newCore(cfg, AtlasMediaType)
	if err != nil {
		return nil, err
	}
	return &Atlas{c: c}, nil
}

func linkTokensPath(orgID string) string {
	return "/api/atlas/v2/orgs/" + url.PathEscape(orgID) + "/liveMigrations/linkTokens"
}

// CreateLinkToken creates a link token whose API key accepts requests from
// accessListIPs, and returns the token. Atlas cannot return it again.
func (a *Atlas) CreateLinkToken(ctx context.Context, orgID string, accessListIPs []string) (string, error) {
	if accessListIPs == nil {
		// MongoDB's CLI sends an empty list, never null.
		accessListIPs = []string{}
	}
	var out struct {
		LinkToken string `json:"linkToken"`
	}
	body := struct {
		AccessListIPs []string `json:"accessListIps"`
	}{accessListIPs}
	// The specification says 200; the live service answers 201.
	err := a.c.do(ctx, http.MethodPost, linkTokensPath(orgID), body, &out, []int{http.StatusOK, http.StatusCreated})
	if err != nil {
		return "", err
	}
	if out.LinkToken == "" {
		return "", &uncertainError{msg: "POST " + linkTokensPath(orgID) + ": the answer holds no linkToken", err: errors.New("empty link token")}
	}
	return out.LinkToken, nil
}

// DeleteLinkTokens removes every link token of the organization, its link and
// the API key inside the token. A 404 means there was nothing to remove.
func (a *Atlas) DeleteLinkTokens(ctx context.Context, orgID string) error {
	return a.c.do(ctx, http.MethodDelete, linkTokensPath(orgID), nil, nil, []int{http.StatusNoContent, http.StatusOK})
}

// AvailableProject is a source project that a link exposes to Atlas.
type AvailableProject struct {
	ProjectID      string       `json:"projectId"`
	Name           string       `json:"name"`
	MigrationHosts []string     `json:"migrationHosts"`
	Deployments    []Deployment `json:"deployments"`
}

// Deployment is one deployment of an available project. Pointer fields are
// nil when the API omits them.
type Deployment struct {
	Name                        string  `json:"name"`
	ClusterID                   *string `json:"clusterId"`
	MongoDBVersion              string  `json:"mongoDBVersion"`
	FeatureCompatibilityVersion string  `json:"featureCompatibilityVersion"`
	Managed                     bool    `json:"managed"`
	Sharded                     bool    `json:"sharded"`
	TLSEnabled                  bool    `json:"tlsEnabled"`
	AgentVersion                *string `json:"agentVersion"`
	DBSizeBytes                 *int64  `json:"dbSizeBytes"`
	OplogSizeMB                 *int64  `json:"oplogSizeMB"`
	ShardsSize                  *int64  `json:"shardsSize"`
}

// ListAvailableProjects lists the projects the organization's links expose.
func (a *Atlas) ListAvailableProjects(ctx context.Context, orgID string) ([]AvailableProject, error) {
	var out []AvailableProject
	path := "/api/atlas/v2/orgs/" + url.PathEscape(orgID) + "/liveMigrations/availableProjects"
	if err := a.c.do(ctx, http.MethodGet, path, nil, &out, []int{http.StatusOK}); err != nil {
		return nil, err
	}
	if out == nil {
		out = []AvailableProject{}
	}
	return out, nil
}
