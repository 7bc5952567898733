package client

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// What the API states of its token bucket, and how the limiter paces by it.
//
// Atlas may send RateLimit-Limit (the bucket's capacity) and
// RateLimit-Remaining (what is left in it) on any answer, and an empty
// bucket answers 429 RATE_LIMITED_TOKEN_BUCKET with a detail such as
// "Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per
// 60 seconds." The level is what every process that shares the bucket — a
// fleet split into workspaces and applied at once — has in common: each
// process slows down as the level falls, so together they settle above
// empty without seeing each other.
//
// The pace, once the refill rate is known: refill × (level ÷ capacity)²
// requests a second, at least a sixteenth of the refill. One process alone
// settles with the bucket full, at its refill rate; n processes settle
// where the bucket holds capacity ÷ √n — half for four — never empty, each
// at a share of the refill, without knowing n. The level is read from each
// answer (RateLimit-Remaining, which counts the answer's own request as
// taken), less half the other requests in flight then and those let
// through since, plus a fifth of the refill since: every process that
// waits counts the same refill. A process alone (sharing, below) counts
// the answer's own request back, so it paces at the refill even in a
// bucket of two, and one that may share the bucket half of it. Like the
// learned rate, the stated pace is a spacing (ratelimit.go): it takes
// effect for the next request, with no tokens saved at an earlier pace.
//
// Without a stated refill rate the limiter learns the rate as it does
// without any figure (ratelimit.go), and the level steers it: under the
// reserve it counts as an empty bucket would, before any 429 — the rate
// falls to what the API admitted, at most once a second, and at a level
// of 0 by a quarter at least where the bucket holds more than two — and at
// half the capacity or more the rate climbs quickly while requests queue.
// The reserve is a quarter of the capacity for a process alone, and more
// than half of it while others may spend the bucket too, and the request
// after a low level then waits its turn at the lower rate: a process
// starting needs two requests at once (its digest challenge and its first
// call), and what the others keep is what lets it in. A process starting
// cannot tell whether it is alone, so it keeps that room for its first ten
// seconds, and again for ten seconds after any level its own requests do
// not explain — alone, the level falls between two answers by no more than
// the requests sent in between and those in flight then. A bucket of two or
// less has no room to keep. A rate the user set is lowered only by a 429.

const (
	// statedFloor is the slowest stated pace, as a share of the refill: a
	// level read as empty still lets a request through now and then, whose
	// answer reads the level again.
	statedFloor = 1.0 / 16
	// refillCredit is the share of the refill since the level was read
	// that a process counts as its own: others may count it too, and a
	// process at an empty bucket cannot tell them from its own requests.
	refillCredit = 0.2
	// maxStated bounds the figures read from an answer: no bucket is
	// larger, and a larger number is no figure.
	maxStated = 1e9
)

// bucketFigures is what one answer states.
type bucketFigures struct {
	// capacity and remaining are RateLimit-Limit and RateLimit-Remaining,
	// or the detail's capacity; -1 when absent.
	capacity, remaining float64
	// refill is the detail's refill rate in requests a second, 0 when
	// absent.
	refill float64
}

// parseStatedHeader reads a RateLimit-Limit or RateLimit-Remaining value: a
// whole number of requests, or -1 when absent or malformed.
func parseStatedHeader(v string) float64 {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > maxStated {
		return -1
	}
	return float64(n)
}

// The detail's figures, in the documented form; the words around them may
// change case or spacing.
var (
	capacityDetail = regexp.MustCompile(`(?i)request\s+capacity:\s*(\d{1,10})\b`)
	refillDetail   = regexp.MustCompile(`(?i)refill\s+rate:\s*(\d{1,10})\s+(?:requests?\s+)?per\s+(\d{1,10})\s+seconds?\b`)
)

// parseBucketDetail reads the capacity and the refill rate (requests a
// second) of a 429's detail; each is 0 when the detail does not state it
// in the documented form, or states 0.
func parseBucketDetail(detail string) (capacity, perSecond float64) {
	if m := capacityDetail.FindStringSubmatch(detail); m != nil {
		if n, err := strconv.ParseUint(m[1], 10, 64); err == nil && n <= maxStated {
			capacity = float64(n)
		}
	}
	if m := refillDetail.FindStringSubmatch(detail); m != nil {
		n, err1 := strconv.ParseUint(m[1], 10, 64)
		period, err2 := strconv.ParseUint(m[2], 10, 64)
		if err1 == nil && err2 == nil && n > 0 && n <= maxStated && period > 0 && period <= maxStated {
			perSecond = float64(n) / float64(period)
		}
	}
	return capacity, perSecond
}

// readFigures reads what an answer states of the bucket. Of a 429 it reads
// the detail too, and gives the body back unread to the layers above.
func readFigures(resp *http.Response) bucketFigures {
	f := bucketFigures{
		capacity:  parseStatedHeader(resp.Header.Get("RateLimit-Limit")),
		remaining: parseStatedHeader(resp.Header.Get("RateLimit-Remaining")),
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Body == nil {
		return f
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil {
		return f
	}
	var body struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(head, &body) != nil {
		return f
	}
	capacity, perSecond := parseBucketDetail(body.Detail)
	if capacity > 0 {
		f.capacity = capacity
	}
	f.refill = perSecond
	return f
}

// record keeps what an answer states; l.mu is held. inFlight counts the
// requests let through and not answered yet, this one included.
func (l *rateLimiter) record(now time.Time, f bucketFigures) {
	if f.capacity > 0 {
		l.capacity = f.capacity
	}
	if f.refill > 0 {
		l.refill = f.refill
	}
	if f.remaining >= 0 {
		// Alone, the bucket loses between two answers at most the
		// requests this process sent in between: those let through since
		// the earlier answer and those still in flight then. Once its
		// refill rate is known, it also gains at least what refilled in
		// between, up to its capacity: a bucket that stays empty while
		// it should have refilled is being spent by others. The stated
		// level is rounded down on both sides, so a lower level means
		// that others spend it too. Before the first answer the bucket
		// was full unless someone spent it lately.
		explained := l.capacity - float64(l.inFlight)
		if !l.levelAt.IsZero() {
			before := l.stated
			if l.refill > 0 && l.capacity > 0 {
				before = math.Floor(min(before+l.refill*now.Sub(l.levelAt).Seconds(), l.capacity))
			}
			explained = before - float64(l.sentSince+l.inFlightAtRead-1)
		}
		if f.remaining < explained {
			l.othersSeen = now
		}
		l.stated, l.inFlightAtRead = f.remaining, l.inFlight
		// The other requests in flight may have reached the bucket before
		// this one or not: count half of them as taken.
		l.level = max(f.remaining-float64(l.inFlight-1)/2, 0)
		if l.capacity > 0 {
			l.level = min(l.level, l.capacity)
		}
		l.levelAt, l.sentSince = now, 0
	}
}

// estimatedLevel estimates the bucket's level now: the level last read, refilled
// at the stated rate since, less the requests let through since — below
// zero when this process has sent more than the bucket held; false when no
// level or capacity has been stated. l.mu is held.
func (l *rateLimiter) estimatedLevel(now time.Time) (float64, bool) {
	if l.levelAt.IsZero() || l.capacity <= 0 {
		return 0, false
	}
	level := l.level
	// Nothing refills for this process before a 429's Retry-After has
	// passed, and what refills after it is shared with every process
	// that waited for it too.
	from := l.levelAt
	if l.pausedUntil.After(from) {
		from = l.pausedUntil
	}
	if l.refill > 0 && now.After(from) {
		level = min(level+refillCredit*l.refill*now.Sub(from).Seconds(), l.capacity)
	}
	return level - float64(l.sentSince), true
}

// reserve is the level under which a bucket whose refill rate is not
// stated counts as empty: a quarter of its capacity, at least one request —
// and while the limiter keeps room for others (keepsRoom), more than half
// of it.
func (l *rateLimiter) reserve(now time.Time) float64 {
	if l.keepsRoom(now) {
		return math.Floor(l.capacity/2) + 1
	}
	return max(math.Ceil(l.capacity/4), 1)
}

// keepsRoom reports whether the limiter keeps room in the bucket for other
// processes: while they may be spending it (sharing), it keeps more than
// half of it, so that a process starting then finds the two requests its
// first call costs (the digest challenge and the call). A bucket of two or
// less has no such room to keep. l.mu is held.
func (l *rateLimiter) keepsRoom(now time.Time) bool {
	return l.sharing(now) && math.Floor(l.capacity/2)+1 < l.capacity
}

// sharedFor is how long a process counts on others spending its bucket:
// from its first request, since it cannot tell yet, and from the last
// level that fell further than its own requests explain.
const sharedFor = 10 * time.Second

// sharing reports whether other processes may be spending the bucket;
// l.mu is held.
func (l *rateLimiter) sharing(now time.Time) bool {
	lately := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) < sharedFor }
	return lately(l.firstRequest) || lately(l.othersSeen)
}

// paceStated sets the rate from the stated refill rate and the level, when
// both are known and no recovery from 429s without Retry-After is under
// way (recover then sets the rate); it reports whether it did. l.mu is
// held.
func (l *rateLimiter) paceStated(now time.Time) bool {
	if l.refill <= 0 || l.recoverTo > 0 {
		return false
	}
	next := l.refill
	if level, ok := l.estimatedLevel(now); ok {
		// The answer's own request, counted as taken: its requests may
		// have come after the others'.
		own := 0.5
		if !l.sharing(now) {
			own = 1
		}
		share := max(min(level+own, l.capacity), 0) / l.capacity
		next = l.refill * max(share*share, statedFloor)
	}
	if l.ceiling > 0 {
		next = min(next, l.ceiling)
	}
	// The slow start ends once the API has said how fast it refills.
	l.learned, l.rate = true, next
	l.announce()
	return true
}

// wake makes every waiter look again; l.mu is held.
func (l *rateLimiter) wake() {
	close(l.changed)
	l.changed = make(chan struct{})
}
