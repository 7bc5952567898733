package simulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault disturbs the next Count authenticated requests of a route (a digest
// challenge round trip is never consumed by a fault). Exactly one kind is
// set: Status (with ErrorCode, Detail and RetryAfter), ResetBeforeProcessing
// (the connection closes, nothing changes) or ResetAfterProcessing (the
// operation runs, then the connection closes: a lost answer). Latency
// applies to every request of the route, challenges included, for as long
// as it is set.
type Fault struct {
	Count                 int           `json:"count"`
	Status                int           `json:"status,omitempty"`
	ErrorCode             string        `json:"errorCode,omitempty"`
	Detail                string        `json:"detail,omitempty"`
	RetryAfter            string        `json:"retryAfter,omitempty"`
	ResetBeforeProcessing bool          `json:"resetBeforeProcessing,omitempty"`
	ResetAfterProcessing  bool          `json:"resetAfterProcessing,omitempty"`
	Latency               time.Duration `json:"latency,omitempty"`
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

// SetFault sets the fault of a route, replacing any previous one.
func (s *Simulator) SetFault(route Route, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = &f
}

// ClearFaults removes every fault.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Route]*Fault{}
}

// takeFault consumes one occurrence of the route's fault.
func (s *Simulator) takeFault(route Route) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[route]
	if f == nil || f.Count <= 0 || f.describe() == "" {
		return nil
	}
	f.Count--
	taken := *f
	return &taken
}

func (s *Simulator) routeLatency(route Route) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults[route]; f != nil {
		return f.Latency
	}
	return 0
}

// ParseFault reads the compact fault syntax of the -fault flag:
//
//	ROUTE:KIND[xN][,retry-after=S][,code=CODE][,latency=D]
//
// where KIND is a status code (429, 503, 500, ...), reset-before,
// reset-after or latency, and N defaults to 1. Examples:
// "link:429x2,retry-after=1", "createLinkToken:reset-after",
// "linkStatus:latency,latency=200ms".
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
