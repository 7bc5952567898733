package simulator

import (
	"math"
	"sync"
	"time"
)

// Request is one HTTP request the simulator received. It never holds an
// Authorization value or a body.
type Request struct {
	Time          time.Time `json:"time"`
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	Query         string    `json:"query,omitempty"`
	Route         Route     `json:"route,omitempty"`
	Accept        string    `json:"accept,omitempty"`
	ContentType   string    `json:"contentType,omitempty"`
	UserAgent     string    `json:"userAgent,omitempty"`
	Auth          string    `json:"auth"`
	Authenticated bool      `json:"authenticated"`
	Status        int       `json:"status"`
	Fault         string    `json:"fault,omitempty"`
}

func (s *Simulator) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journal = append(s.journal, r)
}

// Requests returns the journal, oldest first.
func (s *Simulator) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.journal...)
}

// Count returns how many requests a route received, challenges included.
func (s *Simulator) Count(route Route) int {
	return s.count(func(r Request) bool { return r.Route == route })
}

// Calls returns how many authenticated requests a route received: one per
// API call, whatever the authentication costs.
func (s *Simulator) Calls(route Route) int {
	return s.count(func(r Request) bool { return r.Route == route && r.Authenticated })
}

// Total returns how many HTTP requests the simulator received.
func (s *Simulator) Total() int { return s.count(func(Request) bool { return true }) }

func (s *Simulator) count(keep func(Request) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.journal {
		if keep(r) {
			n++
		}
	}
	return n
}

// ResetJournal forgets every recorded request.
func (s *Simulator) ResetJournal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journal = nil
}

// JournalSummary counts requests by route, for the admin API.
type JournalSummary struct {
	Total         int           `json:"total"`
	Authenticated int           `json:"authenticated"`
	ByRoute       map[Route]int `json:"byRoute"`
	CallsByRoute  map[Route]int `json:"callsByRoute"`
	ByStatus      map[int]int   `json:"byStatus"`
}

// JournalSummary returns the counts of the journal.
func (s *Simulator) JournalSummary() JournalSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := JournalSummary{ByRoute: map[Route]int{}, CallsByRoute: map[Route]int{}, ByStatus: map[int]int{}}
	for _, r := range s.journal {
		sum.Total++
		sum.ByRoute[r.Route]++
		sum.ByStatus[r.Status]++
		if r.Authenticated {
			sum.Authenticated++
			sum.CallsByRoute[r.Route]++
		}
	}
	return sum
}

// bucket is a token bucket: rate tokens per second, up to burst.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// take removes a token, or reports the whole seconds until one is available.
func (b *bucket) take() (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, false
	}
	wait := int(math.Ceil((1 - b.tokens) / b.rate))
	return max(wait, 1), true
}

func (s *Simulator) takeToken() (int, bool) {
	s.mu.Lock()
	b := s.bucket
	s.mu.Unlock()
	if b == nil {
		return 0, false
	}
	return b.take()
}

// SetRateLimit replaces the rate limit; nil lifts it.
func (s *Simulator) SetRateLimit(limit *RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket = nil
	if limit != nil && limit.PerSecond > 0 {
		s.bucket = newBucket(limit.PerSecond, max(limit.Burst, 1))
	}
}
