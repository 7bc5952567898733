package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
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

func (d *ProviderData) polling() Polling {
	if d == nil {
		return Polling{}
	}
	return d.Polling
}

// sighting is what one read of a wait saw, for the schedule and the log.
type sighting struct {
	Status string
	// Ready and Lag are set only for a live migration.
	Ready *bool
	Lag   *int64
}

func sawStatus(s string) sighting { return sighting{Status: s} }

func sawMigration(m *client.Migration) sighting {
	ready := m.ReadyForCutover
	return sighting{Status: orDefault(m.Status, "no status"), Ready: &ready, Lag: m.LagTimeSeconds}
}

func (s sighting) String() string {
	if s.Ready == nil {
		return "status " + s.Status
	}
	out := fmt.Sprintf("status %s, readyForCutover %t", s.Status, *s.Ready)
	if s.Lag != nil {
		out += fmt.Sprintf(", lag %d s", *s.Lag)
	}
	return out
}

// pace chooses the wait before the next read from what the last read saw;
// at is the time since the wait began, on the schedule's (unscaled) clock.
type pace interface {
	next(seen sighting, at time.Duration) time.Duration
}

// backoff waits initial, then growth times longer each read, up to max: for
// waits that Atlas reports nothing about but a status (the link's SYNCED, a
// validation, a migration's COMPLETE after its cutover).
type backoff struct {
	initial, max time.Duration
	growth       float64
	cur          time.Duration
}

func (b *backoff) next(sighting, time.Duration) time.Duration {
	if b.cur == 0 {
		b.cur = b.initial
	} else {
		b.cur = min(time.Duration(float64(b.cur)*b.growth), b.max)
	}
	return b.cur
}

// The schedules of the waits that report only a status.
func linkSyncedPace() pace {
	return &backoff{initial: 2 * time.Second, growth: 2, max: 15 * time.Second}
}
func validationPace() pace {
	return &backoff{initial: 5 * time.Second, growth: 2, max: 30 * time.Second}
}

// completePace waits for COMPLETE after a cutover request: Atlas stops the
// replication, which takes seconds to minutes, and reports no progress. The
// wait holds one of Terraform's -parallelism workers, and a cutover queued
// behind it (a wave larger than the parallelism) waits for that worker, so
// COMPLETE is read at most 30 s after it comes: 15 s after the request, then
// every 30 s.
func completePace() pace {
	return &backoff{initial: 15 * time.Second, growth: 2, max: 30 * time.Second}
}

// The readiness schedule's bounds. Its assumptions about Atlas, which
// documents none of this:
//
//   - readyForCutover becomes true only while the migration is WORKING,
//     when the destination is nearly in sync; lagTimeSeconds (how far the
//     destination is behind the source, in seconds) is reported while the
//     migration copies and tails the oplog, and may be null at any time.
//   - While the lag falls, it falls roughly steadily: the time to
//     readiness is about the lag divided by its rate of fall, measured
//     between the last two reads. The next read comes at readAheadShare of
//     that estimate, so an error in the estimate is caught by a later read.
//   - Nothing says how fast the lag can fall, so when no fall is seen (null,
//     steady or rising lag, or a single read) the migration is read at most
//     unknownMax apart once it is WORKING, and at most nearMax apart when
//     the lag is small (≤ nearLag seconds) or the estimate is short.
//   - A NEW (scheduled) migration is not about to be ready: it is read on a
//     backoff from newInitial to newMax.
const (
	newInitial     = 30 * time.Second
	newMax         = 2 * time.Minute
	unknownMax     = 30 * time.Second
	nearLag        = 30
	nearMax        = 10 * time.Second
	nearMin        = 5 * time.Second
	farMax         = 10 * time.Minute
	readAheadShare = 0.9
)

// lagPace schedules the reads of a migration waiting to start or to be
// ready for cutover from the lag Atlas reports and its trend.
type lagPace struct {
	newWait time.Duration
	// The last read that reported a lag, and the one before it.
	prevLag, lastLag int64
	prevAt, lastAt   time.Duration
	lags             int
}

func readinessPace() pace { return &lagPace{} }

func (p *lagPace) next(seen sighting, at time.Duration) time.Duration {
	if seen.Lag == nil {
		p.lags = 0
		if seen.Status == client.MigrationNew || seen.Status == "no status" {
			if p.newWait == 0 {
				p.newWait = newInitial
			} else {
				p.newWait = min(2*p.newWait, newMax)
			}
			return p.newWait
		}
		return unknownMax
	}
	lag := *seen.Lag
	p.prevLag, p.prevAt = p.lastLag, p.lastAt
	p.lastLag, p.lastAt = lag, at
	p.lags++
	if lag <= nearLag {
		return nearMax
	}
	if p.lags < 2 || p.lastAt <= p.prevAt || lag >= p.prevLag {
		return unknownMax
	}
	rate := float64(p.prevLag-lag) / (p.lastAt - p.prevAt).Seconds()
	eta := time.Duration(float64(lag) / rate * float64(time.Second))
	if eta <= 2*nearMax {
		return min(max(eta, nearMin), nearMax)
	}
	return min(max(time.Duration(float64(eta)*readAheadShare), nearMax), farMax)
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

// poll is the provider's one poller. It calls check after each wait that
// schedule chooses until check reports done, fails, or the context ends.
// With immediate, check runs once before the first wait; otherwise seen is
// what the caller read last (it feeds the first wait). Each read is logged
// at INFO with what it saw and the next wait.
func poll(ctx context.Context, p Polling, schedule pace, what string, immediate bool, seen *sighting, check func() (done bool, seen sighting, err error)) error {
	start := time.Now()
	scale := p.scale()
	clock := func() time.Duration { return time.Duration(float64(time.Since(start)) / scale) }
	var last sighting
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
		wait := schedule.next(last, clock())
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

func (s sighting) describe() string {
	if s.Status == "" && s.Ready == nil {
		return ""
	}
	return s.String()
}

// awaitStart waits until migration id has left NEW, on the readiness
// schedule. last is what was read last (it is not read again); nil reads the
// migration first. It returns what it read last, even when the wait failed.
func awaitStart(ctx context.Context, atlas *client.Atlas, sched Polling, projectID, id string, last *client.Migration) (*client.Migration, error) {
	mig := last
	var seen *sighting
	if last != nil {
		s := sawMigration(last)
		seen = &s
	}
	err := poll(ctx, sched, readinessPace(), "migration "+id+" to start", last == nil, seen, func() (bool, sighting, error) {
		m, err := atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, sighting{}, err
		}
		mig = m
		return started(m), sawMigration(m), nil
	})
	return mig, err
}

// started tells a migration that has left NEW (scheduled).
func started(m *client.Migration) bool {
	return (m.Status != client.MigrationNew && m.Status != "") || m.ReadyForCutover
}
