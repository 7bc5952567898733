package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

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

// sawMigration is what a read of a migration saw.
func sawMigration(m *client.Migration) shared.Sighting {
	ready := m.ReadyForCutover
	return shared.Sighting{Status: orDefault(m.Status, "no status"), Ready: &ready, Lag: m.LagTimeSeconds}
}

// validationPace is the schedule of the wait for a validation.
func validationPace() shared.Pace {
	return &shared.Backoff{Initial: 5 * time.Second, Growth: 2, Max: 30 * time.Second}
}

// completePace waits for COMPLETE after a cutover request: Atlas stops the
// replication, which takes seconds to minutes, and reports no progress. The
// wait holds one of Terraform's -parallelism workers, and a cutover queued
// behind it (a wave larger than the parallelism) waits for that worker, so
// COMPLETE is read at most 30 s after it comes: 15 s after the request, then
// every 30 s.
func completePace() shared.Pace {
	return &shared.Backoff{Initial: 15 * time.Second, Growth: 2, Max: 30 * time.Second}
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

func readinessPace() shared.Pace { return &lagPace{} }

func (p *lagPace) Next(seen shared.Sighting, at time.Duration) time.Duration {
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

// awaitStart waits until migration id has left NEW, on the readiness
// schedule. last is what was read last (it is not read again); nil reads the
// migration first. It returns what it read last, even when the wait failed.
func awaitStart(ctx context.Context, atlas *client.Atlas, sched shared.Polling, projectID, id string, last *client.Migration) (*client.Migration, error) {
	mig := last
	var seen *shared.Sighting
	if last != nil {
		s := sawMigration(last)
		seen = &s
	}
	err := shared.Poll(ctx, sched, readinessPace(), "migration "+id+" to start", last == nil, seen, func() (bool, shared.Sighting, error) {
		m, err := atlas.GetMigration(ctx, projectID, id)
		if err != nil {
			return false, shared.Sighting{}, err
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
