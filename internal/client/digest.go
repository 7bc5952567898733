package client

import (
	"context"
	"crypto/md5" //nolint:gosec // HTTP Digest as MongoDB implements it is defined on MD5.
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/mongodb-forks/digest"
)

// digestTransport authenticates with an API key pair (HTTP Digest).
//
// The first request to an API, and every request that cannot reuse a
// challenge, goes through the digest library's challenge-response: sent
// without credentials, answered 401 with a challenge, sent again with the
// answer to it — two round trips and the body twice. The challenge of a
// challenge-response the API accepted is kept (challengeCache), and later
// requests answer it directly with a growing nonce count (RFC 7616): one
// round trip, the body sent once. Requests in flight share the nonce with
// distinct counts.
//
// MongoDB does not document whether a nonce may serve several requests,
// nor for how long. So a reused nonce the API refuses costs one request
// and no failure: a 401 with stale=true (the nonce expired) is answered
// once more with the new nonce it carries, and a 401 without it falls back
// to the library's challenge-response for that request. After two nonces
// refused that way, the clients sharing a DigestNonces (the provider
// process's) stop reusing nonces on that host (noncePolicy), and until a
// reused nonce has been accepted once, only one request at a time tries: a
// server that never accepts reuse costs at most two requests more per
// provider process than the challenge-response alone. Workers
// that start together wait for the first challenge, and for that first
// trial, instead of each paying a challenge-response (challengeCache.take).
//
// The reuse path computes the digest response here, not in the library:
// the library builds its challenge and credentials (nonce count and
// cnonce included) afresh for each request in unexported types, with the
// count fixed at 1, and has no way to answer a challenge it did not fetch
// itself.
//
// Every leg goes through next, the rate limit: a refused leg is a request
// the API's quota charges, and it is charged here too.
type digestTransport struct {
	lib        http.RoundTripper // the library, over challengeGuard, over next
	next       http.RoundTripper
	user       string
	password   string
	challenges *challengeCache
}

func newDigestTransport(publicKey, privateKey string, next http.RoundTripper) *digestTransport {
	return &digestTransport{
		lib:        digest.NewTransportWithHTTPRoundTripper(publicKey, privateKey, &challengeGuard{next: next}),
		next:       next,
		user:       publicKey,
		password:   privateKey,
		challenges: &challengeCache{policy: &noncePolicy{}},
	}
}

func (t *digestTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A body that cannot be read again could not be sent by the fallback
	// after a refused nonce: the library buffers it for its two legs.
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !replayable {
		return t.challengeResponse(req)
	}
	ch, probe, filler := t.challenges.take(req.Context())
	if ch != nil {
		return t.reuse(req, ch, probe)
	}
	resp, err := t.challengeResponse(req)
	if filler {
		t.challenges.filled(statusOf(resp, err))
	}
	return resp, err
}

// statusOf is the status of an answer, 0 when there is none.
func statusOf(resp *http.Response, err error) int {
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// challengeResponse is the library's challenge-response. The library fails
// on its own (a challenge it cannot answer, say) only before it sends the
// authenticated request, and passes on the failures of the layers below,
// which know their delivery. The challenge of an authenticated request the
// API did not refuse is offered to the cache, its count 1 spent.
func (t *digestTransport) challengeResponse(req *http.Request) (*http.Response, error) {
	seen := &seenChallenge{}
	resp, err := t.lib.RoundTrip(req.WithContext(context.WithValue(req.Context(), seenChallengeKey{}, seen)))
	if err != nil {
		return nil, withDelivery(err, notSent)
	}
	if seen.header != "" && resp.StatusCode != http.StatusUnauthorized && carriedCredentials(resp) {
		if ch := t.parseChallenge(seen.header); ch != nil {
			ch.count.Store(1)
			t.challenges.offer(ch)
		}
	}
	return resp, nil
}

// reuse sends req once, answering a kept challenge.
func (t *digestTransport) reuse(req *http.Request, ch *cachedChallenge, probe bool) (*http.Response, error) {
	resp, err := t.next.RoundTrip(t.authorized(req, ch, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.challenges.settle(probe, statusOf(resp, err))
		return resp, withDelivery(err, notSent)
	}
	// The API refused the credentials before running anything: this leg
	// was not processed, and its body is sent again below.
	fresh := t.parseChallenge(resp.Header.Get("WWW-Authenticate"))
	discard(resp)
	if fresh != nil && fresh.stale {
		tflog.Debug(req.Context(), "digest nonce expired: answering the new one", map[string]any{"method": req.Method, "path": req.URL.Path})
		t.challenges.settle(probe, http.StatusUnauthorized)
		t.challenges.replace(ch, fresh)
		body, err := replayBody(req)
		if err != nil {
			return nil, withDelivery(err, notSent)
		}
		resp, err := t.next.RoundTrip(t.authorized(req, fresh, body))
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, withDelivery(err, notSent)
		}
		// The new nonce refused too: other requests may have taken it
		// first, and a strict server refuses a count that arrives behind
		// theirs; or the key itself is refused. The challenge-response
		// tells, and the refusal counts against reuse only when it
		// succeeds.
		discard(resp)
		t.challenges.drop(fresh)
		return t.fallback(req, fresh)
	}
	// A probe stays in flight until its refusal has counted, so that no
	// other request tries reuse on a server that has not accepted one.
	tflog.Debug(req.Context(), "reused digest nonce refused: answering a fresh challenge", map[string]any{"method": req.Method, "path": req.URL.Path})
	t.challenges.drop(ch)
	defer t.challenges.settle(probe, http.StatusUnauthorized)
	return t.fallback(req, ch)
}

// fallback runs the challenge-response for a request whose reused nonce
// was refused. When the API then accepts the key, the refusal was the
// nonce's, and it counts against reuse.
func (t *digestTransport) fallback(req *http.Request, refused *cachedChallenge) (*http.Response, error) {
	body, err := replayBody(req)
	if err != nil {
		return nil, withDelivery(err, notSent)
	}
	r := req.Clone(req.Context())
	r.Body = body
	resp, err := t.challengeResponse(r)
	if err == nil && refused != nil && resp.StatusCode != http.StatusUnauthorized && t.challenges.refusedReuse(refused) {
		tflog.Info(req.Context(), "the API refused reused digest nonces twice: every request to this host now answers its own challenge", map[string]any{"host": req.URL.Host})
	}
	return resp, err
}

// authorized is req with the answer to ch under the next nonce count and a
// fresh cnonce, carrying body.
func (t *digestTransport) authorized(req *http.Request, ch *cachedChallenge, body io.ReadCloser) *http.Request {
	r := req.Clone(req.Context())
	r.Body = body
	nc := fmt.Sprintf("%08x", ch.count.Add(1))
	var b [8]byte
	// crypto/rand.Read never fails since Go 1.24: it fills b entirely.
	_, _ = rand.Read(b[:])
	cnonce := hex.EncodeToString(b[:])
	uri := req.URL.RequestURI()
	ha1 := hexHash(ch.hash, t.user+":"+ch.realm+":"+t.password)
	ha2 := hexHash(ch.hash, req.Method+":"+uri)
	response := hexHash(ch.hash, strings.Join([]string{ha1, ch.nonce, nc, cnonce, "auth", ha2}, ":"))
	fields := []string{
		fmt.Sprintf(`username=%q`, t.user),
		fmt.Sprintf(`realm=%q`, ch.realm),
		fmt.Sprintf(`nonce=%q`, ch.nonce),
		fmt.Sprintf(`uri=%q`, uri),
		fmt.Sprintf(`response=%q`, response),
		fmt.Sprintf(`algorithm=%q`, ch.algorithm),
	}
	if ch.opaque != "" {
		fields = append(fields, fmt.Sprintf(`opaque=%q`, ch.opaque))
	}
	fields = append(fields, "qop=auth", "nc="+nc, fmt.Sprintf(`cnonce=%q`, cnonce))
	r.Header.Set("Authorization", "Digest "+strings.Join(fields, ", "))
	return r
}

func hexHash(h func() hash.Hash, s string) string {
	d := h()
	_, _ = io.WriteString(d, s)
	return hex.EncodeToString(d.Sum(nil))
}

func replayBody(req *http.Request) (io.ReadCloser, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, nil
	}
	return req.GetBody()
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 2<<10))
	_ = resp.Body.Close()
}

// parseChallenge reads a digest challenge the way the library does (its
// parser is unexported): parameters split on ", ", values unquoted. It
// returns nil for a challenge this transport cannot answer with a nonce
// count: no nonce, a qop other than "auth" (without qop there is no count),
// or an algorithm other than MD5 and SHA-256 (the library's two).
func (t *digestTransport) parseChallenge(header string) *cachedChallenge {
	s := strings.TrimSpace(header)
	if !strings.HasPrefix(s, "Digest ") || !digestChallengeReadable(s) {
		return nil
	}
	ch := &cachedChallenge{algorithm: digest.AlgMD5}
	var qop string
	for _, param := range strings.Split(strings.TrimSpace(s[len("Digest "):]), ", ") {
		k, v, _ := strings.Cut(param, "=")
		v = strings.Trim(v, `"`)
		switch k {
		case "realm":
			ch.realm = v
		case "nonce":
			ch.nonce = v
		case "opaque":
			ch.opaque = v
		case "algorithm":
			ch.algorithm = v
		case "qop":
			qop = v
		case "stale":
			ch.stale = strings.EqualFold(v, "true")
		case "domain":
		default:
			return nil
		}
	}
	switch ch.algorithm {
	case digest.AlgMD5:
		ch.hash = md5.New
	case digest.AlgSha256:
		ch.hash = sha256.New
	default:
		return nil
	}
	if ch.nonce == "" || qop != digest.MsgAuth {
		return nil
	}
	return ch
}

// seenChallenge carries the challenge of a challenge-response from
// challengeGuard back to the transport, per request.
type seenChallenge struct{ header string }

type seenChallengeKey struct{}

// cachedChallenge is a challenge kept for reuse, with the last nonce count
// sent under it.
type cachedChallenge struct {
	realm, nonce, opaque, algorithm string
	hash                            func() hash.Hash
	stale                           bool
	count                           atomic.Uint32
	// refusalCounted is set once a refusal of this nonce has counted, so
	// that requests in flight refused together count once.
	refusalCounted atomic.Bool
}

// maxNonceCount is where a nonce is retired rather than let its 8-hex-digit
// count wrap around.
const maxNonceCount = 1 << 31

// challengeCache keeps the last challenge of one API and key pair.
type challengeCache struct {
	policy *noncePolicy // its mutex guards the fields below too
	cur    *cachedChallenge
	// filling is under way while a challenge-response that will fill an
	// empty cache is in flight.
	filling *trial
}

// trial is a request whose answer others wait for: the challenge-response
// that fills an empty cache, or the first reuse of a nonce. Its done is
// closed once the answer is known; limited then says it was a 429, which
// says nothing of the nonce: the quota answers before the API
// authenticates.
type trial struct {
	done    chan struct{}
	limited bool
}

func newTrial() *trial { return &trial{done: make(chan struct{})} }

// end records a trial's answer and wakes its waiters; the policy's mutex is
// held.
func (tr *trial) end(status int) {
	tr.limited = status == http.StatusTooManyRequests
	close(tr.done)
}

// maxLimitedWaits bounds how many trials answered 429 a request waits for
// before it answers a challenge of its own.
const maxLimitedWaits = 8

// noncePolicy is what the clients sharing it learned of a server's nonce
// policy.
type noncePolicy struct {
	mu sync.Mutex
	// trusted: a reused nonce was accepted; requests in flight may then
	// all reuse one.
	trusted bool
	// probe is under way while an untrusted reuse is in flight, and ends
	// when its answer (and, when refused, its fallback) is known.
	probe    *trial
	refusals int
	disabled bool
}

// maxNonceRefusals is how many refused nonces stop reuse on a host.
const maxNonceRefusals = 2

// take returns the challenge to answer, if any, and whether the request is
// the one probe allowed while reuse is untrusted; without a challenge,
// filler says that the request's challenge-response is the one that fills
// the empty cache (the caller then calls filled).
//
// Requests that find the cache being filled, or a probe in flight, wait
// for it — once each — rather than each paying a challenge-response: the
// workers of an apply start together, and one challenge and one probe then
// serve them all. A request that would wait a second time uses the
// challenge-response instead, so a failing fill or probe never queues
// requests behind each other — unless the one it waited for was answered
// 429: an empty bucket would charge every challenge-response too, so it
// waits for the next (up to maxLimitedWaits times).
func (c *challengeCache) take(ctx context.Context) (ch *cachedChallenge, probe, filler bool) {
	p := c.policy
	var waitedFill, waitedProbe bool
	for limitedWaits := 0; ; {
		p.mu.Lock()
		if c.cur != nil && c.cur.count.Load() >= maxNonceCount {
			c.cur = nil
		}
		var wait *trial
		switch {
		case p.disabled:
		case c.cur == nil && c.filling == nil:
			c.filling = newTrial()
			filler = true
		case c.cur == nil:
			if !waitedFill {
				wait, waitedFill = c.filling, true
			}
		case p.trusted:
			ch = c.cur
		case p.probe == nil:
			p.probe = newTrial()
			ch, probe = c.cur, true
		default:
			if !waitedProbe {
				wait, waitedProbe = p.probe, true
			}
		}
		p.mu.Unlock()
		if wait == nil {
			return ch, probe, filler
		}
		select {
		case <-wait.done:
		case <-ctx.Done():
			return nil, false, false
		}
		if wait.limited && limitedWaits < maxLimitedWaits {
			limitedWaits++
			waitedFill, waitedProbe = false, false
		}
	}
}

// filled ends the fill of the cache with the status of its answer (0:
// none).
func (c *challengeCache) filled(status int) {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if c.filling != nil {
		c.filling.end(status)
		c.filling = nil
	}
}

// settle records the status of the answer to a reused nonce (0: none); a
// probe's ends the wait of the requests behind it. Only an answer the API
// gives after authenticating proves the reuse accepted: a 429 or a
// gateway's 5xx may come before.
func (c *challengeCache) settle(probe bool, status int) {
	p := c.policy
	p.mu.Lock()
	defer p.mu.Unlock()
	if probe && p.probe != nil {
		p.probe.end(status)
		p.probe = nil
	}
	if status != 0 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusUnauthorized {
		p.trusted = true
	}
}

// offer keeps ch when no challenge is kept.
func (c *challengeCache) offer(ch *cachedChallenge) {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if !c.policy.disabled && c.cur == nil {
		c.cur = ch
	}
}

// replace puts the fresh challenge of a stale answer in place of the stale
// one, unless another request already did.
func (c *challengeCache) replace(old, fresh *cachedChallenge) {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if !c.policy.disabled && (c.cur == old || c.cur == nil) {
		c.cur = fresh
	}
}

// drop forgets a refused challenge.
func (c *challengeCache) drop(ch *cachedChallenge) {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if c.cur == ch {
		c.cur = nil
	}
}

// refusedReuse counts the refusal of a reused nonce whose key the API then
// accepted; the second stops reuse on the host for the clients sharing the
// policy, and reports it.
func (c *challengeCache) refusedReuse(ch *cachedChallenge) bool {
	if !ch.refusalCounted.CompareAndSwap(false, true) {
		return false
	}
	p := c.policy
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusals++
	if p.refusals == maxNonceRefusals {
		p.disabled = true
		c.cur = nil
		return true
	}
	return false
}

// DigestNonces holds, for the clients that share it, the last digest
// challenge of each API and key pair, and what was learned of each server's
// nonce policy (per scheme and host: Atlas and Cloud Manager answer on the
// same host, whose policy is one). The provider gives one to both clients
// of its configuration, so it lives as long as the provider process; a
// client configured without one keeps its own.
type DigestNonces struct {
	mu       sync.Mutex
	caches   map[string]*challengeCache
	policies map[string]*noncePolicy
}

// NewDigestNonces returns an empty DigestNonces.
func NewDigestNonces() *DigestNonces {
	return &DigestNonces{caches: map[string]*challengeCache{}, policies: map[string]*noncePolicy{}}
}

// cache returns the cache of an API and key pair, keyed by a digest of the
// key pair so that no secret is a map key.
func (n *DigestNonces) cache(base *url.URL, cfg Config) *challengeCache {
	sum := sha256.Sum256([]byte(cfg.PublicKey + "\x00" + cfg.PrivateKey))
	key := base.String() + "\x00" + hex.EncodeToString(sum[:])
	host := base.Scheme + "://" + base.Host
	n.mu.Lock()
	defer n.mu.Unlock()
	if c, ok := n.caches[key]; ok {
		return c
	}
	p, ok := n.policies[host]
	if !ok {
		p = &noncePolicy{}
		n.policies[host] = p
	}
	c := &challengeCache{policy: p}
	n.caches[key] = c
	return c
}
