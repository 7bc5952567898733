package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// MigrationMediaType is the version of the validate and create operations
// (2023-01-01 is deprecated there). Every other migration operation has only
// AtlasMediaType.
const MigrationMediaType = "application/vnd.atlas.2024-05-30+json"

// Validation and migration statuses, as documented.
const (
	ValidationPending = "PENDING"
	ValidationSuccess = "SUCCESS"
	ValidationFailed  = "FAILED"

	MigrationNew      = "NEW"
	MigrationWorking  = "WORKING"
	MigrationComplete = "COMPLETE"
	MigrationFailed   = "FAILED"
	MigrationExpired  = "EXPIRED"
)

// anySuccess is every 2xx a migration operation is documented (or reported)
// to answer: the sources disagree between 200, 201, 202 and 204.
var anySuccess = []int{http.StatusOK, http.StatusCreated, http.StatusAccepted, http.StatusNoContent}

// MigrationRequest is the body of validate and create, version 2024-05-30.
type MigrationRequest struct {
	Source              MigrationSource      `json:"source"`
	Destination         MigrationDestination `json:"destination"`
	MigrationHosts      []string             `json:"migrationHosts"`
	DropDestinationData bool                 `json:"dropDestinationData"`
	Sharding            *MigrationSharding   `json:"sharding,omitempty"`
}

// MigrationSource is the Cloud Manager / Ops Manager deployment to migrate.
// Username and Password are sent only when ManagedAuthentication is false.
type MigrationSource struct {
	ClusterName           string `json:"clusterName"`
	GroupID               string `json:"groupId"`
	ManagedAuthentication bool   `json:"managedAuthentication"`
	SSL                   bool   `json:"ssl"`
	CACertificatePath     string `json:"caCertificatePath,omitempty"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
}

// MigrationDestination is the Atlas cluster to migrate into.
type MigrationDestination struct {
	ClusterName        string `json:"clusterName"`
	GroupID            string `json:"groupId"`
	HostnameSchemaType string `json:"hostnameSchemaType"`
	PrivateLinkID      string `json:"privateLinkId,omitempty"`
}

// MigrationSharding shards collections of a replica set migrated into a
// sharded cluster.
type MigrationSharding struct {
	CreateSupportingIndexes bool            `json:"createSupportingIndexes"`
	ShardingEntries         []ShardingEntry `json:"shardingEntries"`
}

// ShardingEntry is one collection to shard and its key.
type ShardingEntry struct {
	Database        string   `json:"database"`
	Collection      string   `json:"collection"`
	ShardCollection ShardKey `json:"shardCollection"`
}

// ShardKey is a shard key: each field as {"<field>": 1}.
type ShardKey struct {
	Key []map[string]int `json:"key"`
}

// ShardKeyOf builds a key from field names, each ascending.
func ShardKeyOf(fields ...string) ShardKey {
	key := make([]map[string]int, len(fields))
	for i, f := range fields {
		key[i] = map[string]int{f: 1}
	}
	return ShardKey{Key: key}
}

// Validation is a migration validation.
type Validation struct {
	ID            string  `json:"_id"`
	GroupID       string  `json:"groupId"`
	SourceGroupID string  `json:"sourceGroupId"`
	Status        string  `json:"status"`
	ErrorMessage  *string `json:"errorMessage"`
}

// Migration is what Atlas returns of a migration, and nothing else: no
// source, destination, timestamps, expiry or failure reason. Status is ""
// when the API sends null; LagTimeSeconds is nil when absent.
type Migration struct {
	ID              string   `json:"_id"`
	Status          string   `json:"status"`
	ReadyForCutover bool     `json:"readyForCutover"`
	LagTimeSeconds  *int64   `json:"lagTimeSeconds"`
	MigrationHosts  []string `json:"migrationHosts"`
}

// Project is an Atlas project (group); OrgID is its organization.
type Project struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	OrgID string `json:"orgId"`
}

func groupPath(groupID string) string { return "/api/atlas/v2/groups/" + url.PathEscape(groupID) }

func liveMigrationsPath(groupID string) string { return groupPath(groupID) + "/liveMigrations" }

// GetProject reads an Atlas project, to find its organization.
func (a *Atlas) GetProject(ctx context.Context, groupID string) (*Project, error) {
	var out Project
	if err := a.c.do(ctx, http.MethodGet, groupPath(groupID), nil, &out, []int{http.StatusOK}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ValidateMigration starts a validation of the migration the request
// describes. The password, if any, is masked in logs and errors.
func (a *Atlas) ValidateMigration(ctx context.Context, groupID string, req MigrationRequest) (*Validation, error) {
	var out Validation
	path := liveMigrationsPath(groupID) + "/validate"
	if err := a.c.doVersion(ctx, MigrationMediaType, http.MethodPost, path, req, &out, anySuccess, req.Source.Password); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &uncertainError{msg: "POST " + path + ": the answer holds no validation _id", err: errors.New("empty validation id")}
	}
	return &out, nil
}

// GetValidation reads a validation.
func (a *Atlas) GetValidation(ctx context.Context, groupID, validationID string) (*Validation, error) {
	var out Validation
	path := liveMigrationsPath(groupID) + "/validate/" + url.PathEscape(validationID)
	if err := a.c.do(ctx, http.MethodGet, path, nil, &out, []int{http.StatusOK}); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateMigration starts a migration. It is never replayed after a
// connection failure that may have reached Atlas (see IsUncertain): Atlas
// has no list of migrations in which to look for it.
func (a *Atlas) CreateMigration(ctx context.Context, groupID string, req MigrationRequest) (*Migration, error) {
	var out Migration
	path := liveMigrationsPath(groupID)
	if err := a.c.doVersion(ctx, MigrationMediaType, http.MethodPost, path, req, &out, anySuccess, req.Source.Password); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &uncertainError{msg: "POST " + path + ": the answer holds no migration _id", err: errors.New("empty migration id")}
	}
	return &out, nil
}

// GetMigration reads a migration.
func (a *Atlas) GetMigration(ctx context.Context, groupID, migrationID string) (*Migration, error) {
	var out Migration
	path := liveMigrationsPath(groupID) + "/" + url.PathEscape(migrationID)
	if err := a.c.do(ctx, http.MethodGet, path, nil, &out, []int{http.StatusOK}); err != nil {
		return nil, err
	}
	return &out, nil
}

// Cutover asks Atlas to cut a ready migration over. Any 2xx is success and
// the body is ignored.
func (a *Atlas) Cutover(ctx context.Context, groupID, migrationID string) error {
	path := liveMigrationsPath(groupID) + "/" + url.PathEscape(migrationID) + "/cutover"
	return a.c.do(ctx, http.MethodPut, path, nil, nil, anySuccess)
}
