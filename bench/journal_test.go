package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// Each workspaces run's journal lands in its own file, and reads back as
// the requests the simulator recorded; without a directory nothing is
// written.
func TestWriteJournalKeepsEveryRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	b := &bench{journalDir: dir}
	runs := [][]simulator.Request{
		{{Time: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Method: "GET", Path: "/api/atlas/v2/groups/g", Status: 401, Auth: "none"}},
		{{Time: time.Date(2026, 12, 7, 0, 0, 1, 0, time.UTC), Method: "GET", Path: "/api/atlas/v2/groups/g", Status: 429, Auth: "digest", Nonce: "n1", NonceCount: 2, Authenticated: true}},
	}
	for _, r := range runs {
		if err := b.writeJournal("s11", r); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range runs {
		data, err := os.ReadFile(filepath.Join(dir, []string{"s11-1.json", "s11-2.json"}[i]))
		if err != nil {
			t.Fatal(err)
		}
		var got []simulator.Request
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d read back as %+v, want %+v", i+1, got, want)
		}
	}
	if err := (&bench{}).writeJournal("s11", runs[0]); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files in the journal directory, want 2", len(entries))
	}
}
