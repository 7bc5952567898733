package migration

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// Terraform plans the configuration before every destroy (a normal plan
// that refreshes the state, whose planned changes it then discards), and an
// error of that plan stops the destroy. Nothing in the plan request tells
// that plan from any other, so a plan refusal that must never block a
// destroy asks the command that started the provider: terraform destroy, or
// plan or apply with -destroy. Only Linux shows another process's command
// line without cgo (/proc); elsewhere, and when the provider was not
// started by Terraform (a debug session), the answer is "not a destroy", and
// the refusals say how to destroy anyway.

// commandDestroys reports whether the Terraform or OpenTofu command line
// args (the program, global options, the subcommand and its options) plans a
// destroy.
func commandDestroys(args []string) bool {
	if len(args) < 2 {
		return false
	}
	sub := -1
	for i, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			sub = i + 1
			break
		}
	}
	if sub < 0 {
		return false
	}
	switch args[sub] {
	case "destroy":
		return true
	case "plan", "apply":
		for _, a := range args[sub+1:] {
			switch a {
			case "-destroy", "--destroy", "-destroy=true", "--destroy=true":
				return true
			}
		}
	}
	return false
}

// plansForDestroy reports whether the command that started this provider
// process plans a destroy (see commandDestroys); it reads the parent's
// command line once.
var plansForDestroy = sync.OnceValue(func() bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", os.Getppid()))
	if err != nil {
		return false
	}
	return commandDestroys(strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00"))
})
