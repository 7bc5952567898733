package simulator

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP serves one request: latency, rate limit, routing, authentication,
// faults, media types, then the operation itself.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveAdmin(w, r)
		return
	}
	rec := Request{
		Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Accept: r.Header.Get("Accept"), ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"),
		Auth: authKind(r.Header.Get("Authorization")), Client: r.RemoteAddr,
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Digest ") {
		p := parseDigest(strings.TrimPrefix(h, "Digest "))
		nc, _ := strconv.ParseUint(p["nc"], 16, 32)
		rec.Nonce, rec.NonceCount, rec.CNonce = p["nonce"], int(nc), p["cnonce"]
	}
	sw := &statusWriter{ResponseWriter: w}
	// The request is in flight from now until it is recorded: readers of
	// the journal wait for it, so a client that saw its connection reset
	// (or gave up on a slow answer) never counts one request too few.
	slot := s.beginRequest()
	defer func() {
		rec.Status = sw.status
		s.record(slot, rec)
	}()

	ep, allowed, known := match(r.Method, r.URL.Path)
	switch r.URL.Path {
	case "/api/oauth/token":
		ep, allowed, known = endpoint{route: RouteOAuthToken}, []string{http.MethodPost}, true
	case "/api/oauth/revoke":
		ep, allowed, known = endpoint{route: RouteOAuthRevoke}, []string{http.MethodPost}, true
	}
	rec.Route = ep.route
	if d := s.opts.Latency + s.routeLatency(ep.route); d > 0 && !waitOrGone(r, d) {
		return // the client went away during the latency: nothing to answer
	}
	if s.takeToken(sw) {
		return
	}
	if !known {
		writeError(sw, http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("Cannot find resource %s.", r.URL.Path), nil)
		return
	}
	if ep.route == "" || (r.Method != http.MethodPost && (ep.route == RouteOAuthToken || ep.route == RouteOAuthRevoke)) {
		sw.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(sw, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("Method %s is not allowed on %s.", r.Method, r.URL.Path), nil)
		return
	}
	if ep.route == RouteOAuthToken {
		s.serveToken(sw, r, &rec)
		return
	}
	if ep.route == RouteOAuthRevoke {
		s.serveRevoke(sw, r)
		return
	}

	if r.Header.Get("Authorization") == "" {
		// The challenge leg of a digest call: a gateway can refuse or drop
		// it before the API authenticates anything.
		if f := s.takeFault(ep.route, true); f != nil {
			rec.Fault = "challenge-" + f.describe()
			if s.applyFault(sw, r, ep, *f, &rec) {
				return
			}
		}
	}
	principal, ok := s.authenticate(sw, r, ep.side)
	if !ok {
		return
	}
	rec.Authenticated = true
	if ep.groupID != "" && !s.resolveGroup(sw, &ep) {
		return
	}
	if !orgIDPattern.MatchString(ep.orgID) {
		writeError(sw, http.StatusBadRequest, "INVALID_ORG_ID", fmt.Sprintf("The organization id %s is invalid: it must be 24 hexadecimal characters.", ep.orgID), []errorParam{param("orgId", ep.orgID)})
		return
	}
	if len(principal.orgs) > 0 && !slices.Contains(principal.orgs, ep.orgID) {
		writeError(sw, http.StatusForbidden, "USER_UNAUTHORIZED", fmt.Sprintf("The current user is not authorized to perform this action: the Organization Owner role on organization %s is required.", ep.orgID), nil)
		return
	}
	if f := s.takeFault(ep.route, false); f != nil {
		rec.Fault = f.describe()
		if s.applyFault(sw, r, ep, *f, &rec) {
			return
		}
	}
	if ep.side == sideAtlas && !s.checkMediaTypes(sw, r, mediaTypesFor(ep.route)) {
		return
	}
	s.serveOperation(sw, r, ep)
}

// serveOperation runs the endpoint's operation.
func (s *Simulator) serveOperation(w http.ResponseWriter, r *http.Request, ep endpoint) {
	switch ep.route {
	case RouteCreateLinkToken:
		s.createLinkToken(w, r, ep.orgID)
	case RouteDeleteLinkTokens:
		s.deleteLinkTokens(w, ep.orgID)
	case RouteAvailableProjects:
		s.availableProjects(w, ep.orgID)
	case RouteLink:
		s.link(w, r, ep.orgID)
	case RouteLinkStatus:
		s.linkStatus(w, ep.orgID)
	case RouteUnlink:
		s.unlink(w, ep.orgID)
	default:
		s.serveMigrationOperation(w, r, ep)
	}
}

// checkMediaTypes enforces the versioned media types of an Atlas route
// (versions, newest first): 406 for an Accept that asks for none of them,
// 415 for a body of another type, or of another version than the Accept.
func (s *Simulator) checkMediaTypes(w http.ResponseWriter, r *http.Request, versions []string) bool {
	accepted := negotiate(r, versions)
	if accepted == "" {
		writeError(w, http.StatusNotAcceptable, "INVALID_API_VERSION",
			fmt.Sprintf("The Accept header must name a supported version of this resource: %s.", strings.Join(versions, " or ")), nil)
		return false
	}
	if r.Method == http.MethodPost {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != accepted {
			writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
				fmt.Sprintf("The Content-Type header must be %s, the version the Accept header asks for.", accepted), nil)
			return false
		}
	}
	return true
}

// principal is who a request authenticated as.
type principal struct {
	orgs []string
}

// authenticate verifies digest or bearer credentials for the side, and
// answers 401 with a fresh challenge otherwise. Nothing of an
// unauthenticated request is processed.
func (s *Simulator) authenticate(w http.ResponseWriter, r *http.Request, sd side) (principal, bool) {
	header := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(header, "Digest "):
		key, stale, ok := s.verifyDigest(r, header, sd)
		if ok {
			return principal{orgs: key.OrgIDs}, true
		}
		s.challenge(w, stale, "You are not authorized for this resource: the API key or its digest response is not valid.")
		return principal{}, false
	case strings.HasPrefix(header, "Bearer "):
		if p, ok := s.verifyBearer(strings.TrimPrefix(header, "Bearer "), sd); ok {
			return p, true
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+Realm+`", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "The access token is invalid, expired or revoked, or belongs to a service account of the other API.", nil)
		return principal{}, false
	default:
		s.challenge(w, false, "You are not authorized for this resource.")
		return principal{}, false
	}
}

// challenge answers 401 with a digest challenge in exactly the form MongoDB
// sends it.
func (s *Simulator) challenge(w http.ResponseWriter, stale bool, detail string) {
	nonce := s.newNonce()
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", domain="", nonce="%s", algorithm=MD5, qop="auth", stale=%t`, Realm, nonce, stale))
	writeError(w, http.StatusUnauthorized, "", detail, nil)
}

// verifyDigest checks an RFC 2617 digest response with qop=auth and MD5,
// then its nonce and nonce count (nonce.go). It returns the key, whether
// the nonce was stale, and whether the request is authenticated.
func (s *Simulator) verifyDigest(r *http.Request, header string, sd side) (APIKey, bool, bool) {
	p := parseDigest(strings.TrimPrefix(header, "Digest "))
	if p["realm"] != Realm || p["qop"] != "auth" || p["nc"] == "" || p["cnonce"] == "" || p["uri"] != r.URL.RequestURI() {
		return APIKey{}, false, false
	}
	if alg := p["algorithm"]; alg != "" && !strings.EqualFold(alg, "MD5") {
		return APIKey{}, false, false
	}
	s.mu.Lock()
	keys := s.atlasKeys
	if sd == sideOpsManager {
		keys = s.omKeys
	}
	keys = append([]APIKey(nil), keys...)
	s.mu.Unlock()
	for _, k := range keys {
		if k.PublicKey != p["username"] {
			continue
		}
		want := digestResponse(k.PublicKey, Realm, k.PrivateKey, r.Method, p["uri"], p["nonce"], p["nc"], p["cnonce"], p["qop"])
		if want != p["response"] {
			continue
		}
		switch s.useNonce(p["nonce"], p["nc"]) {
		case nonceAccepted:
			return k, false, true
		case nonceStale:
			return APIKey{}, true, false
		default:
			return APIKey{}, false, false
		}
	}
	return APIKey{}, false, false
}

// digestResponse is the request-digest of RFC 2617 section 3.2.2.1 for
// algorithm MD5 and qop "auth".
func digestResponse(user, realm, password, method, uri, nonce, nc, cnonce, qop string) string {
	ha1 := md5hex(user + ":" + realm + ":" + password)
	ha2 := md5hex(method + ":" + uri)
	return md5hex(strings.Join([]string{ha1, nonce, nc, cnonce, qop, ha2}, ":"))
}

// parseDigest parses the comma-separated key=value pairs of a digest
// Authorization header, with or without quotes.
func parseDigest(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " ,")
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(s[:eq])
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				break
			}
			val, s = s[1:end+1], s[end+2:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		out[key] = val
	}
	return out
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // HTTP Digest as MongoDB implements it is defined on MD5.
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails since Go 1.24: it fills b entirely.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func authKind(header string) string {
	switch {
	case strings.HasPrefix(header, "Digest "):
		return "digest"
	case strings.HasPrefix(header, "Bearer "):
		return "bearer"
	case strings.HasPrefix(header, "Basic "):
		return "basic"
	default:
		return "none"
	}
}

// statusWriter remembers the status for the journal.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// applyFault answers with the fault instead of the operation; it returns
// false when the operation should still run (a fault of latency only). A
// lost answer's status goes into the journal's record.
func (s *Simulator) applyFault(w *statusWriter, r *http.Request, ep endpoint, f Fault, rec *Request) bool {
	switch {
	case f.ResetBeforeProcessing:
		// A reset before processing happens in front of the application
		// (a proxy, a load balancer): the digest nonce was never used.
		p := parseDigest(strings.TrimPrefix(r.Header.Get("Authorization"), "Digest "))
		s.releaseNonceCount(p["nonce"], p["nc"])
		resetConnection(w)
		return true
	case f.ResetAfterProcessing:
		// Run the operation for real, then lose its answer.
		lost := httptest.NewRecorder()
		s.serveOperation(lost, r, ep)
		rec.LostStatus = lost.Code
		resetConnection(w)
		return true
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		code, detail := f.ErrorCode, f.Detail
		if code == "" && f.Status == http.StatusTooManyRequests {
			code = "RATE_LIMITED"
		}
		if detail == "" {
			detail = fmt.Sprintf("Injected fault: %d %s.", f.Status, http.StatusText(f.Status))
		}
		writeError(w, f.Status, code, detail, nil)
		return true
	}
	return false
}

// resetConnection closes the connection without an answer.
func resetConnection(w *statusWriter) {
	w.status = StatusReset
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// waitOrGone waits d, or until the client closes the connection; it reports
// whether the client is still there.
func waitOrGone(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
