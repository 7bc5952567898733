package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func TestClockControlAPIAndTickPerRead(t *testing.T) {
	t.Parallel()
	s := startMigrations(t, simulator.MigrationOptions{ReadyAfter: 10 * time.Minute, TickPerRead: time.Minute})
	before := s.Now()
	resp, err := http.Post(s.URL+"/_sim/clock", "application/json", strings.NewReader(`{"advance":"90m"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock: %v %v", resp, err)
	}
	if d := s.Now().Sub(before); d != 90*time.Minute {
		t.Fatalf("advanced %s", d)
	}
	_, _, out := call(t, s, atlasKey, "POST", base(""), newType, newType, migrationJSON("orders-rs", "mh-2", "orders"))
	id := decode(t, out)["_id"].(string)
	reads := 0
	for {
		reads++
		_, _, out := call(t, s, atlasKey, "GET", base("/"+id), atlasType, "", "")
		if decode(t, out)["readyForCutover"] == true {
			break
		}
		if reads > 20 {
			t.Fatal("never ready")
		}
	}
	if reads != 10 {
		t.Fatalf("ready after %d reads of one simulated minute each, want 10", reads)
	}
	resp, _ = http.Get(s.URL + "/_sim/migrations")
	var list []simulator.MigrationInfo
	_ = json.NewDecoder(resp.Body).Decode(&list)
	if len(list) != 1 || list[0].ID != id || !list[0].ReadyForCutover {
		t.Fatalf("control API migrations: %+v", list)
	}
}
