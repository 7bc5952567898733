// What a validate or create request must be: the body the API's schema
// accepts for each version, and the rules Atlas's validation applies (a
// source the links expose, a free migration host of that source, clusters
// that exist, TLS, credentials, release series, sharding).

package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// migrationRequest is the body of validate and create. Pointers tell a
// missing field from a zero one.
type migrationRequest struct {
	Source              *migrationSource      `json:"source"`
	Destination         *migrationDestination `json:"destination"`
	MigrationHosts      []string              `json:"migrationHosts"`
	DropDestinationData *bool                 `json:"dropDestinationData,omitempty"`
	DropEnabled         *bool                 `json:"dropEnabled,omitempty"`
	Sharding            *struct {
		CreateSupportingIndexes *bool `json:"createSupportingIndexes"`
		ShardingEntries         []struct {
			Database        string `json:"database"`
			Collection      string `json:"collection"`
			ShardCollection struct {
				Key []map[string]any `json:"key"`
			} `json:"shardCollection"`
		} `json:"shardingEntries"`
	} `json:"sharding,omitempty"`
}

// migrationSource and migrationDestination are the source and destination
// of a validate or create body.
type migrationSource struct {
	ClusterName           string `json:"clusterName"`
	GroupID               string `json:"groupId"`
	ManagedAuthentication *bool  `json:"managedAuthentication"`
	SSL                   *bool  `json:"ssl"`
	CACertificatePath     string `json:"caCertificatePath,omitempty"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
}

type migrationDestination struct {
	ClusterName        string `json:"clusterName"`
	GroupID            string `json:"groupId"`
	HostnameSchemaType string `json:"hostnameSchemaType"`
	PrivateLinkID      string `json:"privateLinkId,omitempty"`
}

// decodeMigrationRequest reads and checks a body the way the API's schema
// does, answering 400 with the field at fault. The password is never put
// into an answer.
func decodeMigrationRequest(w http.ResponseWriter, r *http.Request, groupID, version string) (*migrationRequest, bool) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var body migrationRequest
	bad := func(field, description string) (*migrationRequest, bool) {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid attribute %s: %s.", field, description), []errorParam{param("field", field)},
			fieldError{Field: field, Description: description})
		return nil, false
	}
	if err := dec.Decode(&body); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "unknown field "); i >= 0 {
			return bad(strings.Trim(msg[i+len("unknown field "):], `"`), "is not an attribute of this version of the resource")
		}
		return bad("body", "must be a JSON object of this resource")
	}
	switch {
	case body.Source == nil:
		return bad("source", "is required")
	case body.Source.ClusterName == "":
		return bad("source.clusterName", "is required")
	case !idPattern.MatchString(body.Source.GroupID):
		return bad("source.groupId", "must be 24 hexadecimal characters")
	case body.Source.ManagedAuthentication == nil:
		return bad("source.managedAuthentication", "is required")
	case body.Source.SSL == nil:
		return bad("source.ssl", "is required")
	case *body.Source.ManagedAuthentication && (body.Source.Username != "" || body.Source.Password != ""):
		return bad("source.managedAuthentication", "must be false when a username or password is given")
	case body.Destination == nil:
		return bad("destination", "is required")
	case body.Destination.ClusterName == "":
		return bad("destination.clusterName", "is required")
	case body.Destination.GroupID != groupID:
		return bad("destination.groupId", "must be the group id of the request path")
	case !slices.Contains([]string{"PUBLIC", "PRIVATE_LINK", "VPC_PEERING"}, body.Destination.HostnameSchemaType):
		return bad("destination.hostnameSchemaType", "must be one of PUBLIC, PRIVATE_LINK, VPC_PEERING")
	case body.Destination.PrivateLinkID != "" && body.Destination.HostnameSchemaType != "PRIVATE_LINK":
		return bad("destination.privateLinkId", "is allowed only with hostnameSchemaType PRIVATE_LINK")
	case len(body.MigrationHosts) != 1 || strings.TrimSpace(body.MigrationHosts[0]) == "":
		return bad("migrationHosts", "must hold exactly one migration host")
	case version == MigrationMediaType && body.DropEnabled != nil:
		return bad("dropEnabled", "is not an attribute of version 2024-05-30; use dropDestinationData")
	case version == AtlasMediaType && body.DropDestinationData != nil:
		return bad("dropDestinationData", "is not an attribute of version 2023-01-01; use dropEnabled")
	case version == AtlasMediaType && body.DropEnabled == nil:
		return bad("dropEnabled", "is required")
	}
	if sh := body.Sharding; sh != nil {
		if sh.CreateSupportingIndexes == nil {
			return bad("sharding.createSupportingIndexes", "is required")
		}
		for i, e := range sh.ShardingEntries {
			if e.Database == "" || e.Collection == "" || len(e.ShardCollection.Key) == 0 {
				return bad(fmt.Sprintf("sharding.shardingEntries[%d]", i), "needs a database, a collection and a non-empty shardCollection.key")
			}
			for _, k := range e.ShardCollection.Key {
				if len(k) != 1 {
					return bad(fmt.Sprintf("sharding.shardingEntries[%d].shardCollection.key", i), `each element must be {"<field>": 1}`)
				}
			}
		}
	}
	return &body, true
}

// checkMigrationLocked applies the rules Atlas's validation checks and that
// the APIs expose, and returns the first that fails, in words a user can
// act on, or "".
func (s *Simulator) checkMigrationLocked(groupID string, body *migrationRequest) string {
	project := s.mig.projects[groupID]
	src, dst := body.Source, body.Destination
	host := body.MigrationHosts[0]

	// The source project must be visible through a SYNCED link of the
	// destination project's organization.
	var source *Project
	for org, l := range s.links {
		if l.AtlasOrgID != project.OrgID || s.tokens[l.Token] == nil {
			continue
		}
		for i := range s.inventory[org] {
			if s.inventory[org][i].ProjectID == src.GroupID {
				source = &s.inventory[org][i]
			}
		}
	}
	if source == nil {
		return fmt.Sprintf("Source project %s is not available to Atlas organization %s: no SYNCED live migration link of that organization exposes it. Link the source organization with a link token of this organization.", src.GroupID, project.OrgID)
	}
	if !slices.Contains(source.MigrationHosts, host) {
		return fmt.Sprintf("Migration host %s is not a migration host of source project %s (its migration hosts: %s).", host, src.GroupID, listOrNone(source.MigrationHosts))
	}
	var deployment *Deployment
	var names []string
	for i := range source.Deployments {
		names = append(names, source.Deployments[i].Name)
		if source.Deployments[i].Name == src.ClusterName {
			deployment = &source.Deployments[i]
		}
	}
	if deployment == nil {
		return fmt.Sprintf("Source cluster %s was not found in source project %s (its deployments: %s).", src.ClusterName, src.GroupID, listOrNone(names))
	}
	var cluster *AtlasCluster
	names = nil
	for i := range project.Clusters {
		names = append(names, project.Clusters[i].Name)
		if project.Clusters[i].Name == dst.ClusterName {
			cluster = &project.Clusters[i]
		}
	}
	if cluster == nil {
		return fmt.Sprintf("Destination cluster %s was not found in Atlas project %s (its clusters: %s).", dst.ClusterName, groupID, listOrNone(names))
	}
	if *src.SSL != deployment.TLSEnabled {
		return fmt.Sprintf("The migration host could not connect to source cluster %s: ssl is %t but the cluster has TLS %s.", src.ClusterName, *src.SSL, map[bool]string{true: "enabled", false: "disabled"}[deployment.TLSEnabled])
	}
	if !*src.ManagedAuthentication && (src.Username == "" || src.Password == "") {
		return fmt.Sprintf("Source cluster %s is not accessed with automation-managed authentication, so a username and a password are required.", src.ClusterName)
	}
	if a, b := releaseSeries(deployment.MongoDBVersion), releaseSeries(cluster.MongoDBVersion); a != b {
		return fmt.Sprintf("Source cluster %s runs MongoDB %s and destination cluster %s runs MongoDB %s: both must be on the same release series.", src.ClusterName, deployment.MongoDBVersion, dst.ClusterName, cluster.MongoDBVersion)
	}
	if deployment.Sharded && !cluster.Sharded {
		return fmt.Sprintf("Source cluster %s is sharded and destination cluster %s is a replica set: migrating a sharded cluster to a replica set is not supported.", src.ClusterName, dst.ClusterName)
	}
	if body.Sharding != nil && (deployment.Sharded || !cluster.Sharded) {
		return "Sharding options apply only to a migration from a replica set to a sharded cluster."
	}
	now := s.mig.now()
	for _, id := range s.mig.order {
		rec := s.mig.migrations[id]
		if rec.host == host && activeStatus(s.mig.status(rec, now)) {
			return fmt.Sprintf("Migration host %s is busy with another active live migration (to Atlas project %s). A migration host serves one migration at a time.", host, rec.groupID)
		}
	}
	return ""
}

func listOrNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

// releaseSeries returns major.minor of a MongoDB version.
func releaseSeries(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
