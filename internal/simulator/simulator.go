// Package simulator is an in-memory implementation of the APIs behind a push
// live migration link: the Atlas Admin API v2 link-token and
// available-projects endpoints, the Cloud Manager / Ops Manager liveExport
// endpoints, and the OAuth 2.0 token endpoint. It verifies HTTP Digest and
// bearer authentication for real, enforces versioned media types, answers
// with MongoDB's error bodies, and can rate limit and inject faults.
//
// It judges clients: it shares no code with the provider's client and
// follows the documented behaviour of the real service, not what any
// particular client sends. Where the documentation is silent, the choice
// made here is documented on the option that controls it.
package simulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// Route names one endpoint, in the request journal and for faults.
type Route string

// The routes the simulator serves.
const (
	RouteCreateLinkToken   Route = "createLinkToken"
	RouteDeleteLinkTokens  Route = "deleteLinkTokens"
	RouteAvailableProjects Route = "availableProjects"
	RouteLink              Route = "link"
	RouteLinkStatus        Route = "linkStatus"
	RouteUnlink            Route = "unlink"
	RouteOAuthToken        Route = "oauthToken"
	RouteOAuthRevoke       Route = "oauthRevoke"
)

// AtlasMediaType is the versioned media type of the Atlas endpoints.
const AtlasMediaType = "application/vnd.atlas.2023-01-01+json"

// Realm is the digest realm MongoDB's APIs announce.
const Realm = "MMS Public API"

// APIKey is a programmatic API key (HTTP Digest user and password). OrgIDs,
// when set, limits the organizations the key may act on; other
// organizations answer 403.
type APIKey struct {
	PublicKey  string   `json:"publicKey"`
	PrivateKey string   `json:"privateKey"`
	OrgIDs     []string `json:"orgIds,omitempty"`
}

// ServiceAccount is an OAuth 2.0 client-credentials account.
type ServiceAccount struct {
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	OrgIDs       []string `json:"orgIds,omitempty"`
}

// RateLimit is a token bucket over all API requests: Burst requests, refilled
// at PerSecond. Like Atlas's buckets, it states its figures: every answer
// carries RateLimit-Limit (the capacity) and RateLimit-Remaining (what is
// left in the bucket), and an empty bucket answers 429
// RATE_LIMITED_TOKEN_BUCKET whose detail gives the capacity and the refill
// rate ("Please retry after 1 seconds. Request capacity: 20. Refill rate:
// 1200 per 60 seconds."). Unstated models a server that states nothing:
// no headers, and 429 RATE_LIMITED with a detail that names no figure.
type RateLimit struct {
	PerSecond float64
	Burst     int
	Unstated  bool
}

// Options configures a simulator.
type Options struct {
	AtlasKeys                 []APIKey
	OpsManagerKeys            []APIKey
	AtlasServiceAccounts      []ServiceAccount
	OpsManagerServiceAccounts []ServiceAccount

	// TokenTTL is the lifetime of issued access tokens (default 3600 s).
	TokenTTL time.Duration
	// NonceTTL is the lifetime of a digest nonce (default
	// DefaultNonceTTL, 5 minutes), on the simulator's clock (Clock, or the
	// wall clock): the migrations' accelerated clock is not used, because a
	// real server's nonces age in real time whatever a test does to the
	// migrations. A digest response with an expired nonce but a valid
	// digest is answered 401 with a new challenge saying stale=true.
	//
	// A nonce serves any number of requests with growing nonce counts (nc,
	// RFC 7616), which MongoDB neither documents nor rules out; each count
	// is accepted once (replay protection, see NonceCountWindow).
	NonceTTL time.Duration
	// NonceCountWindow is how far below the highest nonce count seen for a
	// nonce a count may still arrive (default DefaultNonceCountWindow, 1024):
	// requests sharing a nonce are sent concurrently and may arrive out of
	// order, so the counts seen are kept as a set over that window, not as
	// their maximum only. A count already seen, or at least this far below
	// the highest, is refused with 401 and stale=false. 1 is the strictest
	// server the RFC allows: every count must exceed all earlier ones.
	NonceCountWindow int
	// RefuseNonceReuse makes every nonce single use, as a server that
	// does not implement nonce counts: a second request with the same
	// nonce is refused with 401 and stale=false.
	RefuseNonceReuse bool
	// Latency is added to every HTTP request, challenges included.
	Latency time.Duration
	// RateLimit, when set, answers 429 with Retry-After once the bucket is
	// empty.
	RateLimit *RateLimit
	// Clock, when set, replaces time.Now for nonce and access-token
	// lifetimes, the rate limit and the journal's timestamps.
	Clock func() time.Time

	// StatusWithoutLink chooses the undocumented answer of the status
	// endpoint for an organization without a link: "" answers 404
	// RESOURCE_NOT_FOUND, "NOT_SYNCED" answers 200 {"status":"NOT_SYNCED"}.
	StatusWithoutLink string
	// NotFoundErrorCode is the errorCode of the 404 that removing missing
	// link tokens answers: "" sends null (older recordings), newer
	// recordings show "UNEXPECTED_ERROR".
	NotFoundErrorCode string

	// Seed is the initial state.
	Seed *Seed

	// Migrations sets the durations and the clock of live migrations.
	Migrations MigrationOptions
}

// Simulator is the http.Handler serving both APIs. It is safe for concurrent
// use.
type Simulator struct {
	opts Options

	mu               sync.Mutex
	tokens           map[string]*tokenRecord // by token value
	links            map[string]*linkRecord  // by source organization
	activeMigrations map[string][]string     // Atlas organization → project ids
	inventory        map[string][]Project    // source organization → projects
	nonces           map[string]*nonceRecord
	nonceSecret      []byte
	bearers          map[string]*bearerRecord
	tokenRequests    int
	journal          []Request
	inFlight         int        // API requests whose handler has not ended
	settled          *sync.Cond // signalled when inFlight drops to zero
	faults           map[Route]*Fault
	challengeFaults  map[Route]*Fault
	bucket           *bucket
	atlasKeys        []APIKey
	omKeys           []APIKey
	mig              *migrationState
}

type tokenRecord struct {
	AtlasOrgID    string
	AccessListIPs []string
	Created       time.Time
}

type linkRecord struct {
	AtlasOrgID string
	Token      string
}

type side int

const (
	sideAtlas side = iota
	sideOpsManager
)

func (s side) String() string {
	if s == sideAtlas {
		return "atlas"
	}
	return "opsManager"
}

type bearerRecord struct {
	side     side
	clientID string
	expires  time.Time
}

// New returns a simulator with the given options.
func New(opts Options) *Simulator {
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.NonceTTL <= 0 {
		opts.NonceTTL = DefaultNonceTTL
	}
	if opts.NonceCountWindow <= 0 {
		opts.NonceCountWindow = DefaultNonceCountWindow
	}
	s := &Simulator{
		opts:             opts,
		tokens:           map[string]*tokenRecord{},
		links:            map[string]*linkRecord{},
		activeMigrations: map[string][]string{},
		inventory:        map[string][]Project{},
		nonces:           map[string]*nonceRecord{},
		nonceSecret:      []byte(randomString(32)),
		bearers:          map[string]*bearerRecord{},
		faults:           map[Route]*Fault{},
		challengeFaults:  map[Route]*Fault{},
		atlasKeys:        append([]APIKey(nil), opts.AtlasKeys...),
		omKeys:           append([]APIKey(nil), opts.OpsManagerKeys...),
		mig:              newMigrationState(opts.Migrations),
	}
	s.settled = sync.NewCond(&s.mu)
	if opts.RateLimit != nil && opts.RateLimit.PerSecond > 0 {
		s.bucket = newBucket(*opts.RateLimit, s.now)
	}
	if opts.Seed != nil {
		s.applySeed(*opts.Seed)
	}
	return s
}

var (
	orgIDPattern    = regexp.MustCompile(`^[a-f0-9]{24}$`)
	linkTokensPath  = regexp.MustCompile(`^/api/atlas/v2/orgs/([^/]+)/liveMigrations/linkTokens$`)
	availablePath   = regexp.MustCompile(`^/api/atlas/v2/orgs/([^/]+)/liveMigrations/availableProjects$`)
	migrationLink   = regexp.MustCompile(`^/api/public/v1.0/orgs/([^/]+)/liveExport/migrationLink$`)
	migrationStatus = regexp.MustCompile(`^/api/public/v1.0/orgs/([^/]+)/liveExport/migrationLink/status$`)
)

// endpoint is a matched API route.
type endpoint struct {
	route Route
	side  side
	orgID string
	// groupID and itemID are set on the project (group) routes.
	groupID, itemID string
}

// match maps a method and path to a route; ok is false for unknown paths,
// and allowed lists the methods of a known path.
func match(method, path string) (ep endpoint, allowed []string, ok bool) {
	pick := func(byMethod map[string]Route, s side, org string) (endpoint, []string, bool) {
		for m := range byMethod {
			allowed = append(allowed, m)
		}
		r, found := byMethod[method]
		if !found {
			return endpoint{side: s, orgID: org}, allowed, true
		}
		return endpoint{route: r, side: s, orgID: org}, allowed, true
	}
	if ep, allowed, ok := matchMigrations(method, path); ok {
		return ep, allowed, true
	}
	if m := linkTokensPath.FindStringSubmatch(path); m != nil {
		return pick(map[string]Route{http.MethodPost: RouteCreateLinkToken, http.MethodDelete: RouteDeleteLinkTokens}, sideAtlas, m[1])
	}
	if m := availablePath.FindStringSubmatch(path); m != nil {
		return pick(map[string]Route{http.MethodGet: RouteAvailableProjects}, sideAtlas, m[1])
	}
	if m := migrationLink.FindStringSubmatch(path); m != nil {
		return pick(map[string]Route{http.MethodPost: RouteLink, http.MethodDelete: RouteUnlink}, sideOpsManager, m[1])
	}
	if m := migrationStatus.FindStringSubmatch(path); m != nil {
		return pick(map[string]Route{http.MethodGet: RouteLinkStatus}, sideOpsManager, m[1])
	}
	return endpoint{}, nil, false
}

// apiError is MongoDB's error body.
type apiError struct {
	Error      int          `json:"error"`
	ErrorCode  *string      `json:"errorCode"`
	Reason     string       `json:"reason"`
	Detail     string       `json:"detail"`
	Parameters []errorParam `json:"parameters"`
	BadRequest *struct {
		Fields []fieldError `json:"fields"`
	} `json:"badRequestDetail,omitempty"`
}

// errorParam is one entry of an error body's parameters. The Atlas Admin API
// specification declares the entries objects and names none of their
// properties: each here names the value it carries after the path parameter
// or attribute it echoes, as in {"groupId": "..."}. An error without
// parameters has "parameters": null, as recorded answers do.
type errorParam map[string]string

func param(name, value string) errorParam { return errorParam{name: value} }

type fieldError struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// writeError answers with MongoDB's error body. Error bodies are plain
// application/json on both APIs, even where success bodies are versioned.
func writeError(w http.ResponseWriter, status int, code, detail string, params []errorParam, fields ...fieldError) {
	body := apiError{Error: status, Reason: http.StatusText(status), Detail: detail, Parameters: params}
	if code != "" {
		body.ErrorCode = &code
	}
	if len(fields) > 0 {
		body.BadRequest = &struct {
			Fields []fieldError `json:"fields"`
		}{fields}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
