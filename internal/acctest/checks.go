package acctest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func startSimulator(t *testing.T, env *Env, tune func(*simulator.Options)) *simulator.Server {
	t.Helper()
	opts := simulator.Options{
		AtlasKeys:      []simulator.APIKey{{PublicKey: env.AtlasPublicKey, PrivateKey: env.AtlasPrivateKey}},
		OpsManagerKeys: []simulator.APIKey{{PublicKey: env.OMPublicKey, PrivateKey: env.OMPrivateKey}},
	}
	if tune != nil {
		tune(&opts)
	}
	return simulator.NewServer(t, opts, simulator.ServerOptions{})
}

type secret struct{ what, value string }

func simulatorSecrets(s *simulator.Server) []secret {
	var out []secret
	for _, t := range s.AllLinkTokens() {
		out = append(out, secret{"a link token", t})
	}
	for _, t := range s.AccessTokens() {
		out = append(out, secret{"a service-account access token", t})
	}
	return out
}

// simOnly wraps a check that needs the simulator; against real services it
// checks nothing, since the real APIs cannot be inspected this way.
func (e *Env) simOnly(check func(*simulator.Server) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if e.Sim == nil {
			return nil
		}
		return check(e.Sim)
	}
}

// CheckNothingLeft is a CheckDestroy: no token, no link anywhere. Against
// real services it asks the APIs: the source organization has no link, and
// removing the Atlas organization's link tokens finds none.
func (e *Env) CheckNothingLeft(*terraform.State) error {
	if e.Sim == nil {
		if err := e.realNotLinked(e.SourceOrgID); err != nil {
			return err
		}
		return e.realNoLinkTokens(e.AtlasOrgID)
	}
	if tokens := e.Sim.AllLinkTokens(); len(tokens) > 0 {
		return fmt.Errorf("%d link tokens left after destroy", len(tokens))
	}
	if n := e.Sim.LinkCount(); n > 0 {
		return fmt.Errorf("%d links left after destroy", n)
	}
	return nil
}

// CheckNotLinkedAfterDestroy is a CheckDestroy for a link only.
func (e *Env) CheckNotLinkedAfterDestroy(sourceOrgID string) resource.TestCheckFunc {
	return e.CheckNotLinked(sourceOrgID)
}

// CheckLinked checks that the source organization is linked, SYNCED, to the
// Atlas organization (against real services: that its status is SYNCED).
func (e *Env) CheckLinked(sourceOrgID, atlasOrgID string) resource.TestCheckFunc {
	return e.eitherWay(func() error { return e.realLinked(sourceOrgID) }, func(s *simulator.Server) error {
		status, linked := s.LinkStatus(sourceOrgID)
		if !linked || status != "SYNCED" {
			return fmt.Errorf("organization %s: linked=%t status=%q, want a SYNCED link", sourceOrgID, linked, status)
		}
		if got, _ := s.LinkedAtlasOrg(sourceOrgID); got != atlasOrgID {
			return fmt.Errorf("organization %s is linked to Atlas organization %s, want %s", sourceOrgID, got, atlasOrgID)
		}
		return nil
	})
}

// CheckNotLinked checks that the source organization has no link.
func (e *Env) CheckNotLinked(sourceOrgID string) resource.TestCheckFunc {
	return e.eitherWay(func() error { return e.realNotLinked(sourceOrgID) }, func(s *simulator.Server) error {
		if _, linked := s.LinkStatus(sourceOrgID); linked {
			return fmt.Errorf("organization %s is still linked", sourceOrgID)
		}
		return nil
	})
}

// CheckTokenCount checks how many live tokens an Atlas organization has.
func (e *Env) CheckTokenCount(atlasOrgID string, want int) resource.TestCheckFunc {
	return e.simOnly(func(s *simulator.Server) error {
		if got := len(s.LinkTokens(atlasOrgID)); got != want {
			return fmt.Errorf("the Atlas organization %s has %d link tokens, want %d", atlasOrgID, got, want)
		}
		return nil
	})
}

// CheckTokenIssued checks that the token in state is the one token the
// simulator issued for the organization.
func (e *Env) CheckTokenIssued(address, atlasOrgID string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		if e.Sim == nil {
			return nil
		}
		var inState string
		if err := CaptureAttribute(address, "link_token", &inState)(st); err != nil {
			return err
		}
		issued := e.Sim.LinkTokens(atlasOrgID)
		if len(issued) != 1 || issued[0] != inState {
			return fmt.Errorf("state holds a token that is not the single token issued for %s (%d issued)", atlasOrgID, len(issued))
		}
		return nil
	}
}

// CheckTokenAccessList checks the access list the simulator received.
func (e *Env) CheckTokenAccessList(atlasOrgID string, want []string) resource.TestCheckFunc {
	return e.simOnly(func(s *simulator.Server) error {
		tokens := s.LinkTokens(atlasOrgID)
		if len(tokens) != 1 {
			return fmt.Errorf("%d tokens, want 1", len(tokens))
		}
		got, _ := s.TokenAccessList(tokens[0])
		if !slices.Equal(got, want) || got == nil {
			return fmt.Errorf("access list sent %v, want %v", got, want)
		}
		return nil
	})
}

// CheckAtlasHeaders checks the headers of every Atlas request the provider
// sent: the versioned media type, and a User-Agent naming the provider and
// Terraform.
func (e *Env) CheckAtlasHeaders() resource.TestCheckFunc {
	return e.simOnly(func(s *simulator.Server) error {
		seen := 0
		for _, r := range s.Requests() {
			if !strings.HasPrefix(r.Path, "/api/atlas/v2/") {
				continue
			}
			seen++
			if r.Accept != simulator.AtlasMediaType {
				return fmt.Errorf("%s %s: Accept %q, want %q", r.Method, r.Path, r.Accept, simulator.AtlasMediaType)
			}
			if r.Method == "POST" && r.ContentType != simulator.AtlasMediaType {
				return fmt.Errorf("%s %s: Content-Type %q, want %q", r.Method, r.Path, r.ContentType, simulator.AtlasMediaType)
			}
			if !strings.HasPrefix(r.UserAgent, "terraform-provider-atlasmig/"+ProviderVersion+" Terraform/1.") {
				return fmt.Errorf("%s %s: User-Agent %q", r.Method, r.Path, r.UserAgent)
			}
		}
		if seen == 0 {
			return fmt.Errorf("no Atlas request was recorded")
		}
		return nil
	})
}

// CheckCallCount checks how many authenticated calls a route received.
func (e *Env) CheckCallCount(route string, want int) resource.TestCheckFunc {
	return e.simOnly(func(s *simulator.Server) error {
		if got := s.Calls(simulator.Route(route)); got != want {
			return fmt.Errorf("%d %s calls, want %d", got, route, want)
		}
		return nil
	})
}

// CheckNoCalls fails the test if any API call was made (plan-time failures
// must not reach the API).
func (e *Env) CheckNoCalls(t *testing.T) {
	t.Helper()
	if e.Sim == nil {
		return
	}
	if n := e.Sim.Total(); n != 0 {
		t.Errorf("%d API requests were made; a plan-time failure must make none", n)
	}
}

// LinkOutOfBand issues a token and links the source organization behind
// Terraform's back, for import tests. It returns the token.
func (e *Env) LinkOutOfBand(t *testing.T, atlasOrgID, sourceOrgID string) string {
	t.Helper()
	token := e.Sim.IssueLinkToken(atlasOrgID)
	if err := e.Sim.Link(sourceOrgID, token); err != nil {
		t.Fatal(err)
	}
	return token
}

// NoWritesSince fails when the simulator received a request that changes
// something since its journal was last reset.
func NoWritesSince(sim *simulator.Server) error {
	for _, r := range sim.Requests() {
		if r.Authenticated && r.Method != http.MethodGet {
			return fmt.Errorf("the import sent %s %s", r.Method, r.Path)
		}
	}
	return nil
}
