package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// kept holds the rows of an earlier report for the scenarios this run
// skipped, so that `go run ./bench -scenarios 8` refreshes scenario 8
// without erasing the others, and where each kept row comes from.
type kept struct {
	rows  []string
	notes []string // "- Scenarios 1, 2 were not run this time: ..." lines
}

var (
	rowLine  = regexp.MustCompile(`^\| ([0-9]+) \|`)
	dateLine = regexp.MustCompile(`^- Runs per scenario: .*date: (.*)$`)
	machine  = regexp.MustCompile(`^- Machine: (.*)$`)
	keptLine = regexp.MustCompile(`^- Scenarios? ([0-9, ]+) (?:was|were) not run this time: their rows are kept from (?:the previous|an earlier) report \((.*)\)$`)
)

// keptRows reads the report at path and returns its rows whose scenario is
// not among ran (scenario ids, comma-separated), each with the date and
// machine of the run that measured it.
func keptRows(path, ran string) kept {
	skip := map[string]bool{}
	for _, id := range strings.Split(ran, ",") {
		skip[strings.TrimSpace(id)] = true
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return kept{}
	}
	var date, host string
	earlier := map[string]string{} // scenario → provenance, for rows the old report kept
	var k kept
	for _, line := range strings.Split(string(old), "\n") {
		if m := dateLine.FindStringSubmatch(line); m != nil {
			date = m[1]
		}
		if m := machine.FindStringSubmatch(line); m != nil {
			host = m[1]
		}
		if m := keptLine.FindStringSubmatch(line); m != nil {
			for _, id := range strings.Split(m[1], ",") {
				earlier[strings.TrimSpace(id)] = m[2]
			}
		}
		if m := rowLine.FindStringSubmatch(line); m != nil && !skip[m[1]] {
			k.rows = append(k.rows, line)
		}
	}
	byFrom := map[string][]string{}
	for _, line := range k.rows {
		id := rowLine.FindStringSubmatch(line)[1]
		from, ok := earlier[id]
		switch {
		case ok:
		case date == "":
			// A report whose header dates its rows by hand.
			from = "see that report's header for its date, on " + host
		default:
			from = "dated " + date + ", on " + host
		}
		if ids := byFrom[from]; len(ids) == 0 || ids[len(ids)-1] != id {
			byFrom[from] = append(ids, id)
		}
	}
	for from, ids := range byFrom {
		subject := "Scenarios " + strings.Join(ids, ", ") + " were"
		if len(ids) == 1 {
			subject = "Scenario " + ids[0] + " was"
		}
		k.notes = append(k.notes, fmt.Sprintf("- %s not run this time: their rows are kept from an earlier report (%s)", subject, from))
	}
	sort.Strings(k.notes)
	return k
}

// byScenario orders table rows by their scenario number, keeping the order
// of the rows of one scenario.
func byScenario(lines []string) []string {
	num := func(line string) int {
		if m := rowLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
		return 0
	}
	out := append([]string(nil), lines...)
	sort.SliceStable(out, func(i, j int) bool { return num(out[i]) < num(out[j]) })
	return out
}
