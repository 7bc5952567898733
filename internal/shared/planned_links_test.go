package shared

import "testing"

func TestPlannedLinksCoverTheirOrganizationOrAnyWhenUnknown(t *testing.T) {
	var none *PlannedLinks
	none.Note("x") // a nil registry (no provider data) records nothing
	if none.Covers("x") {
		t.Fatal("a nil registry covers nothing")
	}
	d := &ProviderData{}
	p := d.PlannedLinks()
	if p != d.PlannedLinks() {
		t.Fatal("one registry per provider instance")
	}
	p.Note("5f1b2c3d4e5f6a7b8c9d0e1f")
	if !p.Covers("5f1b2c3d4e5f6a7b8c9d0e1f") || p.Covers("6a1b2c3d4e5f6a7b8c9d0e1f") {
		t.Fatal("a known organization covers only itself")
	}
	p.Note("")
	if !p.Covers("6a1b2c3d4e5f6a7b8c9d0e1f") {
		t.Fatal("a link of an organization unknown at plan time covers every organization")
	}
}
