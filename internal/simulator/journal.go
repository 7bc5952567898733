package simulator

import (
	"time"
)

// Request is one HTTP request the simulator received. It never holds an
// Authorization value or a body.
type Request struct {
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query,omitempty"`
	Route       Route     `json:"route,omitempty"`
	Accept      string    `json:"accept,omitempty"`
	ContentType string    `json:"contentType,omitempty"`
	UserAgent   string    `json:"userAgent,omitempty"`
	Auth        string    `json:"auth"`
	// Client is the address the request came from: the requests of one
	// connection come from one client process.
	Client string `json:"client,omitempty"`
	// Nonce, NonceCount and CNonce are those of a digest response: the
	// count is 1 for the first use of a nonce, more when the client reuses
	// it.
	Nonce         string `json:"nonce,omitempty"`
	NonceCount    int    `json:"nonceCount,omitempty"`
	CNonce        string `json:"cnonce,omitempty"`
	Authenticated bool   `json:"authenticated"`
	// Status is the answer's status code, StatusReset when the connection
	// was closed without an answer, 0 when the client went away first.
	Status int    `json:"status"`
	Fault  string `json:"fault,omitempty"`
	// LostStatus is the status the operation answered when a reset-after
	// fault lost that answer: what the API did, which the client never saw.
	LostStatus int `json:"lostStatus,omitempty"`
}

// beginRequest counts an API request in flight until record ends it, and
// reserves its place in the journal: the journal is in order of arrival,
// even when a later request ends first (a retry after a reset can finish
// before the handler that reset the connection returns).
func (s *Simulator) beginRequest() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight++
	s.journal = append(s.journal, Request{})
	return len(s.journal) - 1
}

// StatusReset is the journal's status of a request whose connection the
// simulator closed without answering.
const StatusReset = -1

// record fills the place beginRequest reserved with the finished request.
func (s *Simulator) record(slot int, r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journal[slot] = r
	s.inFlight--
	if s.inFlight == 0 {
		s.settled.Broadcast()
	}
}

// awaitSettled waits, with s.mu held, until no request is in flight. A
// client learns of a reset connection or of its own timeout before the
// handler ends; every reader of the journal waits here so that what it
// reports includes every request that reached the simulator.
func (s *Simulator) awaitSettled() {
	for s.inFlight > 0 {
		s.settled.Wait()
	}
}

// InFlight returns how many API requests are being served right now.
func (s *Simulator) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// Requests returns the journal in order of arrival, once no request is in
// flight.
func (s *Simulator) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.awaitSettled()
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
	s.awaitSettled()
	n := 0
	for _, r := range s.journal {
		if keep(r) {
			n++
		}
	}
	return n
}

// ResetJournal forgets every recorded request, once no request is in flight.
func (s *Simulator) ResetJournal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.awaitSettled()
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
	s.awaitSettled()
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
