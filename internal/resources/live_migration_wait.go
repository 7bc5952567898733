package resources

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// EnvPollScale scales the live-migration poll schedule: 0.001 turns 2 s …
// 30 s into 2 ms … 30 ms. It exists for tests and benchmarks against the
// simulator, whose clock can run faster than real time.
const EnvPollScale = "ATLASMIG_POLL_SCALE"

// Default poll schedule of the live-migration waits: the first wait is
// pollInitial, each next one 1.5 times longer, up to pollMax.
const (
	pollInitial = 2 * time.Second
	pollMax     = 30 * time.Second
	pollGrowth  = 1.5
)

// PollSchedule is how the live-migration waits poll. Zero values take the
// defaults.
type PollSchedule struct {
	Initial time.Duration
	Max     time.Duration
}

// ParsePollScale reads EnvPollScale: "" is the default schedule.
func ParsePollScale(v string) (PollSchedule, error) {
	if strings.TrimSpace(v) == "" {
		return PollSchedule{}, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 1 {
		return PollSchedule{}, fmt.Errorf("%s must be a number in (0, 1], got %q", EnvPollScale, v)
	}
	return PollSchedule{
		Initial: max(time.Duration(float64(pollInitial)*f), time.Microsecond),
		Max:     max(time.Duration(float64(pollMax)*f), time.Microsecond),
	}, nil
}

func (p PollSchedule) initial() time.Duration {
	if p.Initial <= 0 {
		return pollInitial
	}
	return p.Initial
}

func (p PollSchedule) max() time.Duration {
	if p.Max <= 0 {
		return pollMax
	}
	return max(p.Max, p.initial())
}

// Intervals returns the first n waits of the schedule, for documentation
// and tests.
func (p PollSchedule) Intervals(n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	w := p.initial()
	for range n {
		out = append(out, w)
		w = min(time.Duration(float64(w)*pollGrowth), p.max())
	}
	return out
}

func (d *ProviderData) pollSchedule() PollSchedule {
	if d == nil {
		return PollSchedule{}
	}
	return d.MigrationPoll
}

// waitError is returned when the context ends during a wait; it wraps the
// context's error so describeAPIError recognises a timeout, and names the
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

// poll calls check after each wait of the schedule until it reports done,
// fails, or the context ends. With immediate, check runs once before the
// first wait. check also returns a description of what it saw, for
// messages.
func poll(ctx context.Context, sched PollSchedule, what string, immediate bool, check func() (done bool, last string, err error)) error {
	wait := sched.initial()
	last := ""
	if immediate {
		done, l, err := check()
		if err != nil || done {
			return err
		}
		last = l
	}
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return &waitError{what: what, last: last, err: ctx.Err()}
		case <-timer.C:
		}
		done, l, err := check()
		if err != nil || done {
			return err
		}
		last = l
		tflog.Debug(ctx, "waiting for the live migration", map[string]any{"for": what, "last": last, "next_wait_ms": wait.Milliseconds()})
		wait = min(time.Duration(float64(wait)*pollGrowth), sched.max())
	}
}

// describeMigration renders what Atlas says of a migration, for messages.
func describeMigration(m *client.Migration) string {
	status := m.Status
	if status == "" {
		status = "no status"
	}
	s := fmt.Sprintf("status %s, readyForCutover %t", status, m.ReadyForCutover)
	if m.LagTimeSeconds != nil {
		s += fmt.Sprintf(", lag %d s", *m.LagTimeSeconds)
	}
	return s
}
