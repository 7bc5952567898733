package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Polling configures every wait of the provider — the link's SYNCED, a
// validation, a migration's start, its readiness for cutover and its
// COMPLETE, in the resource and in the cutover action alike. It is set once,
// by the provider's simulator_clock_speed setting or, for tests that build
// the provider in process, its Options; the zero value is what users get.
type Polling struct {
	// Scale multiplies every interval of every schedule (zero means 1).
	// Tests and benchmarks run against a simulator whose clock runs faster
	// than real time and set it to the inverse of that speed
	// (simulator_clock_speed), so the simulated timings are a real run's.
	Scale float64
}

func (p Polling) scale() float64 {
	if p.Scale <= 0 {
		return 1
	}
	return p.Scale
}

// PollingSettings returns the provider's polling settings; a provider not
// configured yet polls at real speed.
func (d *ProviderData) PollingSettings() Polling {
	if d == nil {
		return Polling{}
	}
	return d.Polling
}

// Sighting is what one read of a wait saw, for the schedule and the log.
type Sighting struct {
	Status string
	// Ready and Lag are set only for a live migration.
	Ready *bool
	Lag   *int64
}

// SawStatus is a read that saw only a status.
func SawStatus(s string) Sighting { return Sighting{Status: s} }

func (s Sighting) String() string {
	if s.Ready == nil {
		return "status " + s.Status
	}
	out := fmt.Sprintf("status %s, readyForCutover %t", s.Status, *s.Ready)
	if s.Lag != nil {
		out += fmt.Sprintf(", lag %d s", *s.Lag)
	}
	return out
}

// Pace chooses the wait before the next read from what the last read saw;
// at is the time since the wait began, on the schedule's (unscaled) clock.
type Pace interface {
	Next(seen Sighting, at time.Duration) time.Duration
}

// Backoff waits Initial, then Growth times longer each read, up to Max: for
// waits that Atlas reports nothing about but a status (the link's SYNCED, a
// validation, a migration's COMPLETE after its cutover).
type Backoff struct {
	Initial, Max time.Duration
	Growth       float64
	cur          time.Duration
}

// Next returns the next wait of the backoff.
func (b *Backoff) Next(Sighting, time.Duration) time.Duration {
	if b.cur == 0 {
		b.cur = b.Initial
	} else {
		b.cur = min(time.Duration(float64(b.cur)*b.Growth), b.Max)
	}
	return b.cur
}

// waitError is returned when the context ends during a wait; it wraps the
// context's error so DescribeAPIError recognises a timeout, and names the
// last status seen.
type waitError struct {
	what string
	last string
	err  error
}

func (e *waitError) Error() string {
	if e.last == "" {
		return fmt.Sprintf("gave up waiting for %s: %v", e.what, e.err)
	}
	return fmt.Sprintf("gave up waiting for %s (last seen: %s): %v", e.what, e.last, e.err)
}

func (e *waitError) Unwrap() error { return e.err }

// Poll is the provider's one poller. It calls check after each wait that
// schedule chooses until check reports done, fails, or the context ends.
// With immediate, check runs once before the first wait; otherwise seen is
// what the caller read last (it feeds the first wait). Each read is logged
// at INFO with what it saw and the next wait.
func Poll(ctx context.Context, p Polling, schedule Pace, what string, immediate bool, seen *Sighting, check func() (done bool, seen Sighting, err error)) error {
	start := time.Now()
	scale := p.scale()
	clock := func() time.Duration { return time.Duration(float64(time.Since(start)) / scale) }
	var last Sighting
	if seen != nil {
		last = *seen
	}
	if immediate {
		done, s, err := check()
		if err != nil || done {
			return err
		}
		last = s
	}
	for {
		wait := schedule.Next(last, clock())
		fields := map[string]any{"for": what, "status": last.Status, "next_wait_s": wait.Seconds()}
		if last.Ready != nil {
			fields["ready_for_cutover"] = *last.Ready
			if last.Lag != nil {
				fields["lag_s"] = *last.Lag
			} else {
				fields["lag_s"] = nil
			}
		}
		tflog.Info(ctx, "waiting for "+what, fields)
		timer := time.NewTimer(max(time.Duration(float64(wait)*scale), time.Microsecond))
		select {
		case <-ctx.Done():
			timer.Stop()
			return &waitError{what: what, last: last.describe(), err: ctx.Err()}
		case <-timer.C:
		}
		done, s, err := check()
		if err != nil || done {
			return err
		}
		last = s
	}
}

func (s Sighting) describe() string {
	if s.Status == "" && s.Ready == nil {
		return ""
	}
	return s.String()
}
