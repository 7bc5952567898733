package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestKeptRowsKeepTheirProvenance refreshes one scenario twice: the rows of
// the others keep the date and machine of the run that measured them.
func TestKeptRowsKeepTheirProvenance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	full := "- Machine: AMD EPYC\n- Runs per scenario: 3; date: 2026-11-28 05:35 UTC\n\n| # | measure |\n|---|---|\n" +
		"| 1 | a | 1.00 × |\n| 6 | b | 2.00 × |\n| 8 | c | 3.00 × |\n"
	if err := os.WriteFile(path, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	k := keptRows(path, "8")
	want := kept{
		rows:  []string{"| 1 | a | 1.00 × |", "| 6 | b | 2.00 × |"},
		notes: []string{"- Scenarios 1, 6 were not run this time: their rows are kept from an earlier report (dated 2026-11-28 05:35 UTC, on AMD EPYC)"},
	}
	if !reflect.DeepEqual(k, want) {
		t.Fatalf("first refresh: %#v", k)
	}
	// The refreshed report, as b.report writes it, refreshed again: only
	// scenario 6 this time.
	second := "- Machine: Intel Xeon\n- Runs per scenario: 1; date: 2026-12-03 07:27 UTC\n" + want.notes[0] + "\n\n| # | measure |\n|---|---|\n" +
		"| 1 | a | 1.00 × |\n| 6 | b | 2.00 × |\n| 8 | c | 4.00 × |\n"
	if err := os.WriteFile(path, []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	k = keptRows(path, "6")
	want = kept{
		rows: []string{"| 1 | a | 1.00 × |", "| 8 | c | 4.00 × |"},
		notes: []string{
			"- Scenario 1 was not run this time: their rows are kept from an earlier report (dated 2026-11-28 05:35 UTC, on AMD EPYC)",
			"- Scenario 8 was not run this time: their rows are kept from an earlier report (dated 2026-12-03 07:27 UTC, on Intel Xeon)",
		},
	}
	if !reflect.DeepEqual(k, want) {
		t.Fatalf("second refresh: %#v", k)
	}
	// A header that dates its rows by hand, with no date line: the note
	// says where the date is rather than an empty one.
	if err := os.WriteFile(path, []byte("- Machine: Intel Xeon\n- Rows measured on different dates\n\n| # | measure |\n|---|---|\n| 2 | d | 1.00 × |\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k := keptRows(path, "1"); len(k.notes) != 1 || k.notes[0] != "- Scenario 2 was not run this time: their rows are kept from an earlier report (see that report's header for its date, on Intel Xeon)" {
		t.Fatalf("hand-dated report: %#v", k.notes)
	}
	// Ids of two digits are ids, not characters: refreshing 1 keeps 10.
	if err := os.WriteFile(path, []byte("- Machine: M\n- Runs per scenario: 1; date: D\n\n| 1 | a |\n| 10 | b |\n| 11 | c |\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k := keptRows(path, "1,11"); !reflect.DeepEqual(k.rows, []string{"| 10 | b |"}) {
		t.Fatalf("refreshing 1 and 11: %#v", k.rows)
	}
	if got := byScenario([]string{"| 8 | x |", "| 1 | y |", "| 8 | z |"}); !reflect.DeepEqual(got, []string{"| 1 | y |", "| 8 | x |", "| 8 | z |"}) {
		t.Fatalf("byScenario: %v", got)
	}
}
