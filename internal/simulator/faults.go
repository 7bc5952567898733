package simulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault disturbs the next Count authenticated requests of a route, after
// letting Skip of them through (a digest challenge round trip is never
// consumed by such a fault). Exactly one kind is set: Status (with
// ErrorCode, Detail and RetryAfter), ResetBeforeProcessing (the connection
// closes, nothing changes) or ResetAfterProcessing (the operation runs, then
// the connection closes: a lost answer). Latency applies to every request of
// the route, challenges included, for as long as it is set.
//
// A Challenge fault disturbs the other leg of a digest call instead: the
// request sent without credentials, which the API answers with its
// challenge. A gateway in front of the API refuses or drops those like any
// other request; nothing is processed before authentication, so a
// reset-after there is a reset-before. A route has one fault of each leg.
type Fault struct {
	Count                 int           `json:"count"`
	Status                int           `json:"status,omitempty"`
	ErrorCode             string        `json:"errorCode,omitempty"`
	Detail                string        `json:"detail,omitempty"`
	RetryAfter            string        `json:"retryAfter,omitempty"`
	ResetBeforeProcessing bool          `json:"resetBeforeProcessing,omitempty"`
	ResetAfterProcessing  bool          `json:"resetAfterProcessing,omitempty"`
	Latency               time.Duration `json:"latency,omitempty"`
	Skip                  int           `json:"skip,omitempty"`
	Challenge             bool          `json:"challenge,omitempty"`
}

func (f Fault) describe() string {
	switch {
	case f.ResetBeforeProcessing:
		return "reset-before"
	case f.ResetAfterProcessing:
		return "reset-after"
	case f.Status != 0:
		return strconv.Itoa(f.Status)
	default:
		return ""
	}
}

// SetFault sets the fault of a route's leg (Challenge or not), replacing
// any previous one.
func (s *Simulator) SetFault(route Route, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Challenge {
		if f.ResetAfterProcessing {
			f.ResetAfterProcessing, f.ResetBeforeProcessing = false, true
		}
		s.challengeFaults[route] = &f
		return
	}
	s.faults[route] = &f
}

// ClearFaults removes every fault.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Route]*Fault{}
	s.challengeFaults = map[Route]*Fault{}
}

// takeFault consumes one occurrence of the fault of the route's leg, once
// its requests to skip have gone through.
func (s *Simulator) takeFault(route Route, challenge bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[route]
	if challenge {
		f = s.challengeFaults[route]
	}
	if f == nil || f.Count <= 0 || f.describe() == "" {
		return nil
	}
	if f.Skip > 0 {
		f.Skip--
		return nil
	}
	f.Count--
	taken := *f
	return &taken
}

func (s *Simulator) routeLatency(route Route) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d time.Duration
	for _, f := range []*Fault{s.faults[route], s.challengeFaults[route]} {
		if f != nil {
			d = max(d, f.Latency)
		}
	}
	return d
}

// ParseFault reads the compact fault syntax of the -fault flag:
//
//	ROUTE:KIND[xN][,retry-after=S][,code=CODE][,latency=D][,skip=K][,challenge]
//
// where KIND is a status code (429, 503, 500, ...), reset-before,
// reset-after or latency, N defaults to 1, skip lets K requests through
// first and challenge puts the fault on the digest challenge leg. Examples:
// "link:429x2,retry-after=1", "createLinkToken:reset-after",
// "linkStatus:latency,latency=200ms", "getMigration:500,skip=3",
// "cutover:503,challenge".
func ParseFault(spec string) (Route, Fault, error) {
	routePart, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return "", Fault{}, fmt.Errorf("fault %q: want ROUTE:KIND[xN][,option=value...]", spec)
	}
	route := Route(routePart)
	if !knownRoute(route) {
		return "", Fault{}, fmt.Errorf("fault %q: unknown route %q", spec, routePart)
	}
	parts := strings.Split(rest, ",")
	kind, count := parts[0], 1
	if k, n, found := strings.Cut(kind, "x"); found {
		c, err := strconv.Atoi(n)
		if err != nil || c < 1 {
			return "", Fault{}, fmt.Errorf("fault %q: count %q is not a positive number", spec, n)
		}
		kind, count = k, c
	}
	f := Fault{Count: count}
	switch kind {
	case "reset-before":
		f.ResetBeforeProcessing = true
	case "reset-after":
		f.ResetAfterProcessing = true
	case "latency":
	default:
		status, err := strconv.Atoi(kind)
		if err != nil || status < 400 || status > 599 {
			return "", Fault{}, fmt.Errorf("fault %q: kind %q is not a 4xx/5xx status, reset-before, reset-after or latency", spec, kind)
		}
		f.Status = status
	}
	for _, opt := range parts[1:] {
		key, val, _ := strings.Cut(opt, "=")
		switch key {
		case "retry-after":
			f.RetryAfter = val
		case "code":
			f.ErrorCode = val
		case "latency":
			d, err := time.ParseDuration(val)
			if err != nil {
				return "", Fault{}, fmt.Errorf("fault %q: %w", spec, err)
			}
			f.Latency = d
		case "skip":
			k, err := strconv.Atoi(val)
			if err != nil || k < 0 {
				return "", Fault{}, fmt.Errorf("fault %q: skip %q is not a number of requests", spec, val)
			}
			f.Skip = k
		case "challenge":
			if f.ResetAfterProcessing {
				return "", Fault{}, fmt.Errorf("fault %q: a digest challenge processes nothing, so it has no reset-after; use reset-before", spec)
			}
			f.Challenge = true
		default:
			return "", Fault{}, fmt.Errorf("fault %q: unknown option %q", spec, key)
		}
	}
	return route, f, nil
}

func knownRoute(r Route) bool {
	switch r {
	case RouteCreateLinkToken, RouteDeleteLinkTokens, RouteAvailableProjects, RouteLink, RouteLinkStatus, RouteUnlink, RouteOAuthToken, RouteOAuthRevoke:
		return true
	}
	return migrationRoute(r)
}
