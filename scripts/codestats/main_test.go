package main

import (
	"strings"
	"testing"
)

// maxOperationLines bounds the CRUD and plan functions of the resources,
// data sources and actions: longer ones are split into named steps. Schema
// functions are left out: they are declarations, read attribute by
// attribute.
const maxOperationLines = 80

var operations = map[string]bool{
	"Create": true, "Read": true, "Update": true, "Delete": true, "ModifyPlan": true,
	"ImportState": true, "ValidateConfig": true, "Invoke": true,
}

func TestOperationsAreShort(t *testing.T) {
	seen := 0
	for _, dir := range []string{"../../internal/link", "../../internal/migration"} {
		funcs, err := Funcs(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range funcs {
			_, method, ok := strings.Cut(f.Name, ".")
			if !ok || !operations[method] {
				continue
			}
			seen++
			if f.Lines > maxOperationLines {
				t.Errorf("%s (%s:%d) is %d lines, more than %d: split it into named steps", f.Name, f.File, f.Line, f.Lines, maxOperationLines)
			}
		}
	}
	// Three resources, three data sources and one action: far more than
	// ten operations, so a wrong directory cannot pass unnoticed.
	if seen < 10 {
		t.Fatalf("found only %d operations", seen)
	}
}

func TestFuncsMeasuresFromFuncToClosingBrace(t *testing.T) {
	funcs, err := Funcs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range funcs {
		got[f.Name] = f.Lines
	}
	want := map[string]int{"one": 1, "three": 3, "thing.method": 5}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: %d lines, want %d", name, got[name], n)
		}
	}
}
