package resources

import "testing"

func TestPlannedLinksCoverTheirOrganizationOrAnyWhenUnknown(t *testing.T) {
	var none *plannedLinks
	none.note("x") // a nil registry (no provider data) records nothing
	if none.covers("x") {
		t.Fatal("a nil registry covers nothing")
	}
	d := &ProviderData{}
	p := d.plannedLinks()
	if p != d.plannedLinks() {
		t.Fatal("one registry per provider instance")
	}
	p.note("5f1b2c3d4e5f6a7b8c9d0e1f")
	if !p.covers("5f1b2c3d4e5f6a7b8c9d0e1f") || p.covers("6a1b2c3d4e5f6a7b8c9d0e1f") {
		t.Fatal("a known organization covers only itself")
	}
	p.note("")
	if !p.covers("6a1b2c3d4e5f6a7b8c9d0e1f") {
		t.Fatal("a link of an organization unknown at plan time covers every organization")
	}
}
