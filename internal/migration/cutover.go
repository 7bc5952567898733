package migration

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// cutoverRequest is what a failure knows of the cutover request.
type cutoverRequest int

const (
	notRequested cutoverRequest = iota
	// requestUnknown: sent, and neither its answer nor the migration
	// read back afterwards says whether Atlas accepted it.
	requestUnknown
	requested
)

// cutover is the provider's one cutover sequence, run by the
// atlasmig_live_migration resource (a create with cutover = true, an update
// to cutover = true) and by the atlasmig_cutover action: wait until Atlas
// reports the migration ready, ask for the cutover once, wait for COMPLETE.
//
// The cutover is requested only right after a read that reports
// readyForCutover, so running the sequence again never cuts over twice: a
// COMPLETE migration ends it at once, and one whose cutover is under way is
// only awaited. When the answer to the request is lost, the migration is read
// back, and the request is sent again only while Atlas still reports the
// migration ready.
//
// The hooks are where the callers differ: the resource records each step in
// its state (save, requested); the action, which has no state, shows each
// step in Terraform's output (progress).
type cutover struct {
	atlas         *client.Atlas
	sched         shared.Polling
	projectID, id string
	diags         *diag.Diagnostics
	// timeout names the setting that bounds the run, for the diagnostics.
	timeout string
	// advice tells what to do after a failure, knowing what became of the
	// cutover request.
	advice func(cutoverRequest) string
	// afterFailure is added to the error for a migration that FAILED or
	// EXPIRED after its cutover was requested.
	afterFailure string

	// progress, when set, receives one line per step and per read.
	progress func(string)
	// save, when set, records what Atlas said last (nil: nothing new).
	save func(*client.Migration)
	// requested, when set, is called once Atlas has accepted the cutover
	// (or reports the migration cut over).
	requested func()
}

func (c *cutover) say(msg string) {
	if c.progress != nil {
		c.progress(msg)
	}
}

func (c *cutover) record(m *client.Migration) {
	if c.save != nil {
		c.save(m)
	}
}

func (c *cutover) accepted() {
	if c.requested != nil {
		c.requested()
	}
}

func (c *cutover) name() string { return "migration " + c.id + " in project " + c.projectID }

// read reads the migration and tells progress what it saw.
func (c *cutover) read(ctx context.Context) (*client.Migration, error) {
	m, err := c.atlas.GetMigration(ctx, c.projectID, c.id)
	if err == nil {
		c.say(describeMigration(m))
	}
	return m, err
}

// run runs the whole sequence. last is what the caller read last, so the
// sequence does not read it again; nil means nothing was read.
func (c *cutover) run(ctx context.Context, last *client.Migration) {
	mig := last
	if mig == nil {
		got, err := c.atlas.GetMigration(ctx, c.projectID, c.id)
		if err != nil {
			summary, detail := describeMigrationAPIError("read "+c.name()+" before its cutover (nothing was sent)", "migration", err)
			c.diags.AddError(summary, detail+"\n\n"+c.advice(notRequested))
			c.record(nil)
			return
		}
		mig = got
		c.say("Migration " + c.id + ": " + describeMigration(mig))
	}
	if c.ended(mig) {
		return
	}
	if mig.Status == client.MigrationComplete {
		c.cutEarlier(mig, "is already COMPLETE: it was cut over earlier. Nothing to do, no cutover sent.")
		return
	}
	if !mig.ReadyForCutover {
		var ok bool
		if mig, ok = c.awaitReady(ctx, mig); !ok {
			return
		}
		if mig.Status == client.MigrationComplete {
			c.cutEarlier(mig, "is COMPLETE without a cutover from this run: it had been cut over earlier. No cutover sent.")
			return
		}
	}
	if mig, ok := c.request(ctx, mig); ok {
		c.accepted()
		c.record(mig)
		if mig.Status != client.MigrationComplete {
			c.awaitComplete(ctx, false)
			return
		}
		c.say("Migration " + c.id + " is COMPLETE: cut over.")
	}
}

// cutEarlier records a migration found COMPLETE: cut over before this run,
// which sends nothing.
func (c *cutover) cutEarlier(m *client.Migration, what string) {
	c.say("Migration " + c.id + " " + what)
	c.accepted()
	c.record(m)
}

// ended reports a migration that can no longer be cut over.
func (c *cutover) ended(m *client.Migration) bool {
	if endedBeforeCutover(m, c.id, c.projectID, c.diags) {
		c.record(m)
		return true
	}
	return false
}

// awaitReady waits until Atlas reports the migration ready for cutover,
// COMPLETE (cut over before), or ended; ok is false when the sequence stops.
func (c *cutover) awaitReady(ctx context.Context, mig *client.Migration) (*client.Migration, bool) {
	if cutUnderWay(mig) {
		c.say("Not ready for cutover and no lag reported: the migration is still preparing, or its cutover is already under way. " +
			"Waiting; a cutover is requested only once Atlas reports it ready.")
	} else {
		c.say("Waiting until Atlas reports the migration ready for cutover.")
	}
	seen := sawMigration(mig)
	err := shared.Poll(ctx, c.sched, readinessPace(), "migration "+c.id+" to be ready for cutover", false, &seen, func() (bool, shared.Sighting, error) {
		got, err := c.read(ctx)
		if err != nil {
			return false, shared.Sighting{}, err
		}
		mig = got
		switch got.Status {
		case client.MigrationFailed, client.MigrationExpired, client.MigrationComplete:
			return true, sawMigration(got), nil
		}
		return got.ReadyForCutover, sawMigration(got), nil
	})
	if err != nil {
		c.record(mig)
		if errors.Is(err, context.DeadlineExceeded) {
			seen := describeMigration(mig)
			if mig.LagTimeSeconds == nil {
				seen += ", and no replication lag yet"
			}
			if cutUnderWay(mig) {
				seen += " (a migration that reports neither readiness nor lag is still preparing, or its cutover was " +
					"requested elsewhere and is under way: if the Atlas UI shows a cutover, wait until Atlas reports COMPLETE, then run the apply again)"
			}
			c.diags.AddError("Live Migration Not Ready For Cutover Yet",
				fmt.Sprintf("Migration %s in project %s is not ready for cutover yet: Atlas reports %s. The wait ended when %s ran out; "+
					"the cutover was not requested. Atlas sets readyForCutover once the destination is nearly in sync.\n\n%s",
					c.id, c.projectID, seen, c.timeout, c.advice(notRequested)))
			return mig, false
		}
		summary, detail := shared.DescribeAPIError(shared.AtlasSide, "wait for "+c.name()+" to be ready for cutover (the cutover was not requested)", err)
		c.diags.AddError(summary, detail+"\n\n"+c.advice(notRequested))
		return mig, false
	}
	return mig, !c.ended(mig)
}

// request asks Atlas for the cutover of a migration read as ready. When the
// request fails, Atlas's own view decides, never a blind second request.
func (c *cutover) request(ctx context.Context, mig *client.Migration) (*client.Migration, bool) {
	c.say("Ready for cutover: requesting the cutover (once).")
	err := c.atlas.Cutover(ctx, c.projectID, c.id)
	if err != nil {
		got, readErr := c.atlas.GetMigration(ctx, c.projectID, c.id)
		switch {
		case readErr != nil:
			_, detail := shared.DescribeAPIError(shared.AtlasSide, "cut over "+c.name(), err)
			c.diags.AddError("Cutover Outcome Unknown",
				fmt.Sprintf("%s\n\nThe migration could not be read back afterwards (%v), so whether Atlas cut it over is unknown. "+
					"Check its status (the atlasmig_live_migration data source or the Atlas UI). %s", detail, readErr, c.advice(requestUnknown)))
			c.record(nil)
			return nil, false
		case got.Status == client.MigrationComplete || cutUnderWay(got):
			tflog.Info(ctx, "cutover accepted though its answer was an error", map[string]any{"migration_id": c.id})
			c.say("The answer to the cutover request was lost, but Atlas reports the cutover under way: " + describeMigration(got))
		case client.IsUncertain(err) && got.ReadyForCutover:
			// Read back and still ready: the request was not processed.
			c.say("The answer to the cutover request was lost and Atlas still reports the migration ready, so the request was not processed: requesting the cutover again.")
			if err := c.atlas.Cutover(ctx, c.projectID, c.id); err != nil {
				c.refused(err)
				c.record(got)
				return nil, false
			}
		default:
			c.refused(err)
			c.record(got)
			return nil, false
		}
		mig = got
	}
	tflog.Info(ctx, "cutover requested", map[string]any{"project_id": c.projectID, "migration_id": c.id})
	c.say("Cutover requested. Waiting for COMPLETE; the application must now use the destination cluster.")
	return mig, true
}

// refused reports a cutover request that Atlas did not accept (read back
// as still ready, or answered with an error and not under way).
func (c *cutover) refused(err error) {
	summary, detail := shared.DescribeAPIError(shared.AtlasSide, "cut over "+c.name(), err)
	c.diags.AddError(summary, detail+"\n\nAtlas did not accept the cutover: the migration keeps syncing. "+c.advice(notRequested))
}

// awaitComplete waits for COMPLETE after the cutover was requested; with
// immediate, it reads the migration before the first wait.
func (c *cutover) awaitComplete(ctx context.Context, immediate bool) {
	var mig *client.Migration
	err := shared.Poll(ctx, c.sched, completePace(), "migration "+c.id+" to complete", immediate, nil, func() (bool, shared.Sighting, error) {
		got, err := c.read(ctx)
		if err != nil {
			return false, shared.Sighting{}, err
		}
		mig = got
		return got.Status == client.MigrationComplete || got.Status == client.MigrationFailed || got.Status == client.MigrationExpired, sawMigration(got), nil
	})
	c.record(mig)
	if err != nil {
		summary, detail := describeWait("migration "+c.id+" to complete after its cutover", c.timeout, mig, err)
		c.diags.AddError(summary, detail+"\n\n"+c.advice(requested))
		return
	}
	if mig.Status == client.MigrationFailed || mig.Status == client.MigrationExpired {
		c.diags.AddError("Live Migration "+titleStatus(mig.Status)+" After Cutover",
			fmt.Sprintf("Migration %s in project %s is %s after its cutover was requested (Atlas sends a failure's reason only by email to the project's owners). "+
				"Check the destination cluster before sending writes to it.%s", c.id, c.projectID, mig.Status, c.afterFailure))
		return
	}
	c.say("Migration " + c.id + " is COMPLETE: cut over.")
}

// describeWait explains a wait for a migration that did not end: when the
// operation's timeout ran out, the migration is simply not there yet, and
// the message says what Atlas reported last; any other failure is the API's.
func describeWait(what, timeout string, last *client.Migration, err error) (string, string) {
	if errors.Is(err, context.DeadlineExceeded) && last != nil {
		return "Live Migration Still In Progress",
			fmt.Sprintf("Gave up waiting for %s when %s ran out: Atlas last reported %s. Nothing is wrong with the migration or the API; it only needs more time.",
				what, timeout, describeMigration(last))
	}
	return shared.DescribeAPIError(shared.AtlasSide, "wait for "+what, err)
}

// cutUnderWay is how Atlas shows a migration whose cutover was accepted but
// has not finished: WORKING ("stopping replication after the cutover"), no
// longer ready, and no lag, which Atlas reports only before the cutover.
func cutUnderWay(m *client.Migration) bool {
	return m.Status == client.MigrationWorking && !m.ReadyForCutover && m.LagTimeSeconds == nil
}

// endedBeforeCutover reports a FAILED or EXPIRED migration, which cannot be
// cut over, in the resource's words.
func endedBeforeCutover(m *client.Migration, id, projectID string, diags *diag.Diagnostics) bool {
	var why string
	switch m.Status {
	case client.MigrationFailed:
		why = "FAILED: Atlas stopped it because of an error, whose reason it sends only by email to the project's owners"
	case client.MigrationExpired:
		why = "EXPIRED: it was not cut over within the 120-hour cutover window, so Atlas stopped syncing (nothing was rolled back on the destination)"
	default:
		return false
	}
	diags.AddError("Live Migration "+titleStatus(m.Status),
		fmt.Sprintf("Migration %s in project %s is %s. It cannot be cut over, and nothing was sent. Start a new migration: the atlasmig_live_migration resource "+
			"that manages it plans a replacement on its next plan.", id, projectID, why))
	return true
}
