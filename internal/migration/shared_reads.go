package migration

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
)

// The pre-flight checks of a fleet of migrations ask the same two questions
// again and again: "which organization owns destination project P?" and "what
// does Atlas organization O see through its links?". Forty migrations into
// one Atlas organization asked them 240 times in one plan and apply; the
// answers are one per project and one per organization.
//
// sharedReads answers them once per provider process and freshness window:
// concurrent askers share one request, and a later asker takes
// an answer read at most preflightFreshFor ago. Errors are never kept. An
// answer that would refuse a migration at apply is never taken from the
// window: the check reads again (fresh) before it refuses, so a link created
// a moment ago in the same apply is seen. What Atlas does with the migration
// is still decided by Atlas, which validates it before it starts.
const preflightFreshFor = 30 * time.Second

type sharedReads struct {
	mu      sync.Mutex
	kept    map[string]keptRead
	flights map[string]*flight
}

type keptRead struct {
	at  time.Time
	val any
}

// flight is one read shared by its askers. It belongs to none of them: one
// asker's cancellation must not fail the others. But it is bounded all the
// same: it carries the deadline of the asker that started it, and it is
// cancelled when the last asker leaves, so no read runs on after everyone
// who wanted it has gone.
type flight struct {
	done chan struct{}
	val  any
	err  error
	// cut is set when the read ended with its own context: the deadline
	// of the asker that started it, or every asker leaving.
	cut    bool
	askers int
	cancel context.CancelFunc
}

// get returns the answer to key: a kept one younger than preflightFreshFor
// unless fresh, else the answer of one read shared by every concurrent asker
// (a fresh asker joins a read already in flight: it began at most one round
// trip before the question). Callers must not modify what it returns.
func (s *sharedReads) get(ctx context.Context, key string, fresh bool, read func(context.Context) (any, error)) (any, error) {
	if !fresh {
		s.mu.Lock()
		k, ok := s.kept[key]
		s.mu.Unlock()
		if ok && time.Since(k.at) <= preflightFreshFor {
			return k.val, nil
		}
	}
	for {
		f := s.join(ctx, key, read)
		select {
		case <-ctx.Done():
			s.leave(key, f)
			return nil, ctx.Err()
		case <-f.done:
			s.leave(key, f)
			// The read ended with the deadline or the cancellation of
			// the askers before this one, not with this asker's: ask
			// again.
			if f.err != nil && f.cut && ctx.Err() == nil {
				continue
			}
			return f.val, f.err
		}
	}
}

// join adds the asker to the key's read in flight, starting one when there
// is none.
func (s *sharedReads) join(ctx context.Context, key string, read func(context.Context) (any, error)) *flight {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flights[key]; f != nil {
		f.askers++
		return f
	}
	// The read keeps the asker's values (its logger) and deadline, not
	// its cancellation.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		cancel()
		rctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	f := &flight{done: make(chan struct{}), askers: 1, cancel: cancel}
	if s.flights == nil {
		s.flights = map[string]*flight{}
	}
	s.flights[key] = f
	go func() {
		v, err := read(rctx)
		// Read before the context is released below: an error of a read
		// that ran its course is the answer for every asker, never a
		// reason to ask again.
		cut := rctx.Err() != nil
		s.mu.Lock()
		if s.flights[key] == f {
			delete(s.flights, key)
		}
		if err == nil {
			if s.kept == nil {
				s.kept = map[string]keptRead{}
			}
			s.kept[key] = keptRead{at: time.Now(), val: v}
		}
		f.val, f.err, f.cut = v, err, cut
		s.mu.Unlock()
		close(f.done)
		cancel()
	}()
	return f
}

// leave removes an asker from its read; the read of the last one to leave
// is cancelled, and a later asker starts a new one.
func (s *sharedReads) leave(key string, f *flight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.askers--
	if f.askers > 0 {
		return
	}
	f.cancel()
	if s.flights[key] == f {
		delete(s.flights, key)
	}
}

// sharedReadsKey keys the shared reads in the provider instance's state.
type sharedReadsKey struct{}

// sharedReadsOf returns the shared reads of this provider process.
func sharedReadsOf(d *shared.ProviderData) *sharedReads {
	return shared.State(d, sharedReadsKey{}, func() *sharedReads { return &sharedReads{} })
}

// preflightReads are the two reads of the pre-flight checks.
type preflightReads interface {
	project(ctx context.Context, projectID string) (*client.Project, error)
	available(ctx context.Context, orgID string) ([]client.AvailableProject, error)
}

// windowReads takes answers from the process's shared reads; with fresh,
// it reads again whatever it kept.
type windowReads struct {
	atlas  *client.Atlas
	shared *sharedReads
	fresh  bool
}

func (r windowReads) project(ctx context.Context, id string) (*client.Project, error) {
	return sharedGet(ctx, r.shared, "project/"+id, r.fresh, func(ctx context.Context) (*client.Project, error) { return r.atlas.GetProject(ctx, id) })
}

func (r windowReads) available(ctx context.Context, orgID string) ([]client.AvailableProject, error) {
	return sharedGet(ctx, r.shared, "available/"+orgID, r.fresh, func(ctx context.Context) ([]client.AvailableProject, error) {
		return r.atlas.ListAvailableProjects(ctx, orgID)
	})
}

// sharedGet is get for answers of type T; each key holds answers of one type.
func sharedGet[T any](ctx context.Context, s *sharedReads, key string, fresh bool, read func(context.Context) (T, error)) (T, error) {
	var zero T
	v, err := s.get(ctx, key, fresh, func(ctx context.Context) (any, error) { return read(ctx) })
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("shared read %s holds a %T", key, v)
	}
	return t, nil
}
