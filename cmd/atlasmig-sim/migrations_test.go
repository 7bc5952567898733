package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseMigrationFlags(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	_ = os.WriteFile(state, []byte(`{"atlasProjects":[{"id":"65a1b2c3d4e5f6a7b8c9d0e1","name":"p","orgId":"5f1b2c3d4e5f6a7b8c9d0e1f","clusters":[{"name":"c","mongoDBVersion":"7.0.14"}]}]}`), 0o600)
	c, err := parseFlags([]string{"-state", state, "-validation-time", "3s", "-migration-ready-after", "2m", "-cutover-time", "10s",
		"-cutover-window", "1h", "-migration-start-after", "20s", "-clock-speed", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := c.opts.Migrations
	if m.ValidationTime != 3*time.Second || m.ReadyAfter != 2*time.Minute || m.CutoverTime != 10*time.Second ||
		m.CutoverWindow != time.Hour || m.StartAfter != 20*time.Second || !m.FrozenClock {
		t.Fatalf("migration options: %+v", m)
	}
	if p := c.opts.Seed.AtlasProjects; len(p) != 1 || p[0].OrgID != "5f1b2c3d4e5f6a7b8c9d0e1f" || p[0].Clusters[0].Name != "c" {
		t.Fatalf("atlas projects: %+v", p)
	}
	d, err := parseFlags(nil, io.Discard)
	if err != nil || d.opts.Migrations.CutoverWindow != 120*time.Hour || d.opts.Migrations.ClockSpeed != 1 || d.opts.Migrations.FrozenClock {
		t.Fatalf("defaults: %+v %v", d.opts.Migrations, err)
	}
	if _, err := parseFlags([]string{"-clock-speed", "-2"}, io.Discard); err == nil {
		t.Fatal("a negative clock speed was accepted")
	}
}
