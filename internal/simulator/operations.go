package simulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

const (
	atlasSuccessType = AtlasMediaType + ";charset=utf-8"
	jsonType         = "application/json"
	statusSynced     = "SYNCED"
	statusNotSynced  = "NOT_SYNCED"
)

// createLinkToken issues a token for the Atlas organization. A second token
// for the same organization coexists with the first (the documentation is
// silent); removing tokens removes them all.
func (s *Simulator) createLinkToken(w http.ResponseWriter, r *http.Request, orgID string) {
	var body struct {
		AccessListIPs []string `json:"accessListIps"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The request body is not valid JSON for a link token request.", nil,
				fieldError{Field: "accessListIps", Description: "must be an array of IP addresses or CIDR blocks"})
			return
		}
	}
	for _, ip := range body.AccessListIPs {
		if _, err := netip.ParseAddr(ip); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(ip); err == nil {
			continue
		}
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid IP address or CIDR block %q in accessListIps.", ip), []errorParam{param("accessListIps", ip)},
			fieldError{Field: "accessListIps", Description: "must contain only IP addresses or CIDR blocks"})
		return
	}
	if body.AccessListIPs == nil {
		body.AccessListIPs = []string{}
	}
	token := newTokenValue(orgID, body.AccessListIPs)

	s.mu.Lock()
	s.tokens[token] = &tokenRecord{AtlasOrgID: orgID, AccessListIPs: body.AccessListIPs, Created: s.now()}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, atlasSuccessType, map[string]string{"linkToken": token})
}

// newTokenValue makes a token as observed: base64 of a JSON document that
// begins {"orgId", carrying an API key of its own.
func newTokenValue(orgID string, accessListIPs []string) string {
	payload, _ := json.Marshal(struct {
		OrgID         string   `json:"orgId"`
		LinkID        string   `json:"linkId"`
		AccessListIPs []string `json:"accessListIps"`
		APIKeyID      string   `json:"apiKeyId"`
		APIKeySecret  string   `json:"apiKeySecret"`
	}{orgID, randomString(12), accessListIPs, randomString(12), randomString(24)})
	return base64.StdEncoding.EncodeToString(payload)
}

// deleteLinkTokens removes every token of the organization; links made with
// them stop syncing.
func (s *Simulator) deleteLinkTokens(w http.ResponseWriter, orgID string) {
	s.mu.Lock()
	projects := append(slices.Clone(s.activeMigrations[orgID]), s.activeMigrationProjectsLocked(orgID)...)
	if len(projects) > 0 {
		s.mu.Unlock()
		params := make([]errorParam, len(projects))
		for i, p := range projects {
			params[i] = param("groupId", p)
		}
		writeError(w, http.StatusConflict, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK",
			"Cannot delete organization link while there is active migration in following project ids: "+strings.Join(projects, ","), params)
		return
	}
	removed := s.removeTokensLocked(orgID)
	s.mu.Unlock()
	if removed == 0 {
		writeError(w, http.StatusNotFound, s.opts.NotFoundErrorCode, "Could not find the requested external organization link.", nil)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Simulator) removeTokensLocked(orgID string) int {
	removed := 0
	for token, rec := range s.tokens {
		if rec.AtlasOrgID == orgID {
			delete(s.tokens, token)
			removed++
		}
	}
	return removed
}

// availableProjects lists the projects of source organizations linked, with
// a live token, to this Atlas organization.
func (s *Simulator) availableProjects(w http.ResponseWriter, orgID string) {
	s.mu.Lock()
	sources := make([]string, 0, len(s.links))
	for source, l := range s.links {
		if l.AtlasOrgID == orgID && s.tokens[l.Token] != nil {
			sources = append(sources, source)
		}
	}
	slices.Sort(sources)
	projects := []Project{}
	for _, source := range sources {
		for _, p := range s.inventory[source] {
			projects = append(projects, p.answered())
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, atlasSuccessType, projects)
}

// link links the source organization with a token this simulator issued and
// has not removed. A second link replaces the first (the documentation is
// silent).
func (s *Simulator) link(w http.ResponseWriter, r *http.Request, orgID string) {
	var body struct {
		LinkToken string `json:"linkToken"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(raw, &body); err != nil || body.LinkToken == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The request body must be a JSON object with a linkToken.", nil,
			fieldError{Field: "linkToken", Description: "is required"})
		return
	}
	s.mu.Lock()
	rec := s.tokens[body.LinkToken]
	if rec == nil {
		s.mu.Unlock()
		// Never echo the token: it is a secret even when it is wrong.
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The link token is not valid: it was not issued by Atlas, or it has been removed. Create a new link token in the Atlas organization.", nil,
			fieldError{Field: "linkToken", Description: "is not a valid link token"})
		return
	}
	s.links[orgID] = &linkRecord{AtlasOrgID: rec.AtlasOrgID, Token: body.LinkToken}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, jsonType, map[string]string{"status": statusSynced})
}

func (s *Simulator) linkStatus(w http.ResponseWriter, orgID string) {
	status, linked := s.LinkStatus(orgID)
	if !linked {
		if s.opts.StatusWithoutLink == statusNotSynced {
			writeJSON(w, http.StatusOK, jsonType, map[string]string{"status": statusNotSynced})
			return
		}
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find a migration link for organization %s.", orgID), []errorParam{param("orgId", orgID)})
		return
	}
	writeJSON(w, http.StatusOK, jsonType, map[string]string{"status": status})
}

func (s *Simulator) unlink(w http.ResponseWriter, orgID string) {
	s.mu.Lock()
	_, linked := s.links[orgID]
	delete(s.links, orgID)
	s.mu.Unlock()
	if !linked {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find a migration link for organization %s.", orgID), []errorParam{param("orgId", orgID)})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveToken issues an access token for a service account (RFC 6749 client
// credentials, client authenticated with HTTP Basic).
func (s *Simulator) serveToken(w http.ResponseWriter, r *http.Request, rec *Request) {
	s.mu.Lock()
	s.tokenRequests++
	s.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication with HTTP Basic is required")
		return
	}
	sd, found := s.findServiceAccount(id, secret)
	if !found {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	rec.Authenticated = true
	if f := s.takeFault(RouteOAuthToken, false); f != nil {
		rec.Fault = f.describe()
		if s.applyFault(&statusWriter{ResponseWriter: w}, r, endpoint{route: RouteOAuthToken}, *f, rec) {
			return
		}
	}
	token := randomString(32)
	s.mu.Lock()
	s.bearers[token] = &bearerRecord{side: sd, clientID: id, expires: s.now().Add(s.opts.TokenTTL)}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, jsonType, map[string]any{
		"access_token": token, "token_type": "Bearer", "expires_in": int(s.opts.TokenTTL.Seconds()),
	})
}

func (s *Simulator) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be a form")
		return
	}
	s.mu.Lock()
	delete(s.bearers, r.PostForm.Get("token"))
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
	}
	writeJSON(w, status, jsonType, map[string]string{"error": code, "error_description": description})
}

func (s *Simulator) findServiceAccount(id, secret string) (side, bool) {
	for _, a := range s.opts.AtlasServiceAccounts {
		if a.ClientID == id && a.ClientSecret == secret {
			return sideAtlas, true
		}
	}
	for _, a := range s.opts.OpsManagerServiceAccounts {
		if a.ClientID == id && a.ClientSecret == secret {
			return sideOpsManager, true
		}
	}
	return 0, false
}

func (s *Simulator) verifyBearer(token string, sd side) (principal, bool) {
	s.mu.Lock()
	rec := s.bearers[token]
	s.mu.Unlock()
	if rec == nil || rec.side != sd || s.now().After(rec.expires) {
		return principal{}, false
	}
	accounts := s.opts.AtlasServiceAccounts
	if sd == sideOpsManager {
		accounts = s.opts.OpsManagerServiceAccounts
	}
	for _, a := range accounts {
		if a.ClientID == rec.clientID {
			return principal{orgs: a.OrgIDs}, true
		}
	}
	return principal{}, false
}
