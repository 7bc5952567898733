package shared

import (
	"sync"
	"testing"
)

type counterKey struct{}

type otherKey struct{}

type counter struct{ n int }

func TestStateIsBuiltOncePerProviderInstanceAndKey(t *testing.T) {
	var builds int
	var mu sync.Mutex
	build := func() *counter {
		mu.Lock()
		defer mu.Unlock()
		builds++
		return &counter{n: builds}
	}
	d := &ProviderData{}
	var wg sync.WaitGroup
	got := make([]*counter, 8)
	for i := range got {
		wg.Go(func() { got[i] = State(d, counterKey{}, build) })
	}
	wg.Wait()
	if builds != 1 {
		t.Fatalf("built %d times, want once", builds)
	}
	for i, c := range got {
		if c != got[0] {
			t.Fatalf("call %d got %p, want %p", i, c, got[0])
		}
	}
	if other := State(d, otherKey{}, build); other == got[0] || other.n != 2 {
		t.Fatalf("another key shares the value: %+v", other)
	}
	if fresh := State(&ProviderData{}, counterKey{}, build); fresh == got[0] || fresh.n != 3 {
		t.Fatalf("another provider instance shares the value: %+v", fresh)
	}
	var none *ProviderData
	if c := State(none, counterKey{}, build); c != nil || builds != 3 {
		t.Fatalf("a nil ProviderData kept %+v (builds %d)", c, builds)
	}
}
