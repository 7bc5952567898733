package migration

import "testing"

func TestCommandDestroys(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"terraform", "destroy", "-auto-approve"}, true},
		{[]string{"/usr/bin/tofu", "-chdir=infra", "destroy"}, true},
		{[]string{"terraform", "apply", "-destroy", "-auto-approve"}, true},
		{[]string{"terraform", "plan", "--destroy", "-out=p"}, true},
		{[]string{"terraform", "apply", "-destroy=true"}, true},
		{[]string{"terraform", "apply", "-destroy=false"}, false},
		{[]string{"terraform", "apply", "-auto-approve", "-var", "name=destroy"}, false},
		{[]string{"terraform", "plan", "-var", "cutover=true"}, false},
		{[]string{"terraform", "apply", "p.tfplan"}, false},
		{[]string{"terraform", "apply", "destroy"}, false},
		{[]string{"terraform"}, false},
		{nil, false},
	} {
		if got := commandDestroys(tc.args); got != tc.want {
			t.Errorf("commandDestroys(%q) = %t, want %t", tc.args, got, tc.want)
		}
	}
}
