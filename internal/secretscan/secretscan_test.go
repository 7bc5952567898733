package secretscan_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
)

// The scan must be able to fail: it finds each secret on the line where it
// is, and ignores values too short to be told from ordinary text.
func TestFindReportsEveryOccurrence(t *testing.T) {
	t.Parallel()
	text := "clean\nbody={\"privateKey\":\"sekrit-1234\"}\ntoken tok-abcdef and sekrit-1234 again\nk=v\n"
	got := secretscan.Find("log", text, map[string]string{
		"sekrit-1234": "the private key",
		"tok-abcdef":  "a link token",
		"absent-9999": "another",
		"k":           "a value too short to scan",
	})
	want := []secretscan.Leak{
		{Secret: "the private key", Where: "log", Line: 2},
		{Secret: "a link token", Where: "log", Line: 3},
		{Secret: "the private key", Where: "log", Line: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("leaks differ (-want +got):\n%s", diff)
	}
}
