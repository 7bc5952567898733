// Package secretscan finds secret values where they must not be: logs,
// command output, state and plan files, diagnostics. Every test that proves
// "no secret here" scans with it, so the proof is written once.
package secretscan

import (
	"sort"
	"strings"
)

// MinLength is the shortest value scanned for: shorter values (a test key
// such as "k") would match by accident.
const MinLength = 6

// Leak is one occurrence of a secret. It names the secret by its
// description, never by its value.
type Leak struct {
	Secret string
	Where  string
	Line   int
}

// Find returns every occurrence of any secret in text, ordered by line.
// secrets maps a value to its description; values shorter than MinLength
// are ignored.
func Find(where, text string, secrets map[string]string) []Leak {
	var leaks []Leak
	lines := strings.Split(text, "\n")
	for value, what := range secrets {
		if len(value) < MinLength {
			continue
		}
		for i, line := range lines {
			if strings.Contains(line, value) {
				leaks = append(leaks, Leak{Secret: what, Where: where, Line: i + 1})
			}
		}
	}
	sort.Slice(leaks, func(i, j int) bool {
		if leaks[i].Line != leaks[j].Line {
			return leaks[i].Line < leaks[j].Line
		}
		return leaks[i].Secret < leaks[j].Secret
	})
	return leaks
}
