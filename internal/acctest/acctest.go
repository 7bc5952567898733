// Package acctest holds what the Terraform-level tests share: provider
// factories, an environment backed by an in-process simulator (or, under
// `make testacc`, by real Atlas and Ops Manager), HCL builders and checks.
package acctest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/secretscan"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/shared"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// Environment variables that switch the scenarios to real services.
const (
	EnvReal        = "ATLASMIG_ACC_REAL"
	EnvAtlasOrgID  = "ATLASMIG_ACC_ATLAS_ORG_ID"
	EnvSourceOrgID = "ATLASMIG_ACC_SOURCE_ORG_ID"
)

// ProviderVersion is the version the test provider reports in User-Agent.
const ProviderVersion = "test"

// Env is one test's world: two organizations, the credentials for each side,
// and — unless the test runs against real services — the simulator holding
// both APIs.
type Env struct {
	AtlasOrgID  string
	SourceOrgID string

	AtlasBaseURL    string
	AtlasPublicKey  string
	AtlasPrivateKey string
	OMBaseURL       string
	OMPublicKey     string
	OMPrivateKey    string

	// Sim is the in-process simulator; nil against real services.
	Sim *simulator.Server

	// Environ is what the provider sees as its environment. Tests against
	// the simulator start from an empty one, so a developer's own MongoDB
	// variables never leak into a test.
	Environ map[string]string

	real bool
}

// NewEnv returns a fresh environment: a new simulator with random keys and
// organization ids, or the real services when EnvReal is set (skipping the
// test, with the reason, when their settings are missing).
func NewEnv(t *testing.T) *Env {
	t.Helper()
	return NewEnvWith(t, nil)
}

// NewEnvWith is NewEnv with the simulator's options adjusted by tune (a
// rate limit, the status answered without a link), for scenarios that need
// the simulator; against real services it skips them.
func NewEnvWith(t *testing.T, tune func(*simulator.Options)) *Env {
	t.Helper()
	if os.Getenv(EnvReal) != "" {
		if tune != nil {
			t.Skip("this scenario needs simulator options and runs only against the simulator")
		}
		return newRealEnv(t)
	}
	env := &Env{
		AtlasOrgID:      RandomOrgID(),
		SourceOrgID:     RandomOrgID(),
		AtlasPublicKey:  "atlas-pub-" + randomHex(4),
		AtlasPrivateKey: "atlas-priv-" + randomHex(16),
		OMPublicKey:     "om-pub-" + randomHex(4),
		OMPrivateKey:    "om-priv-" + randomHex(16),
		// The simulator plays Cloud Manager; its loopback base URL alone
		// would make the provider take it for an Ops Manager.
		Environ: map[string]string{provider.EnvOpsManagerKind: provider.KindCloudManager},
	}
	env.Sim = startSimulator(t, env, tune)
	env.AtlasBaseURL, env.OMBaseURL = env.Sim.URL, env.Sim.URL
	return env
}

func newRealEnv(t *testing.T) *Env {
	t.Helper()
	var missing []string
	need := func(names ...string) string {
		for _, n := range names {
			if v := os.Getenv(n); v != "" {
				return v
			}
		}
		missing = append(missing, strings.Join(names, " or "))
		return ""
	}
	env := &Env{real: true, Environ: nil}
	env.AtlasOrgID = need(EnvAtlasOrgID)
	env.SourceOrgID = need(EnvSourceOrgID)
	if os.Getenv(provider.EnvAtlasClientID) == "" {
		need(provider.EnvAtlasPublicAPIKey, provider.EnvAtlasPublicKey)
		need(provider.EnvAtlasPrivateAPIKey, provider.EnvAtlasPrivateKey)
	}
	need(provider.EnvOpsManagerPublicKey)
	need(provider.EnvOpsManagerPrivateKey)
	if len(missing) > 0 {
		t.Skipf("acceptance tests against real Atlas and Ops Manager need these environment variables: %s", strings.Join(missing, ", "))
	}
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests against real services run only with TF_ACC=1 (make testacc)")
	}
	return env
}

// RequireSimulator skips a scenario that needs to reach behind the API (drift,
// faults, seeded state) when running against real services.
func (e *Env) RequireSimulator(t *testing.T) {
	t.Helper()
	if e.Sim == nil {
		t.Skip("this scenario changes the service behind Terraform's back and runs only against the simulator")
	}
}

// Factories returns provider factories whose provider sees e.Environ.
func (e *Env) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	getenv := os.Getenv
	if !e.real {
		getenv = func(name string) string { return e.Environ[name] }
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"atlasmig": providerserver.NewProtocol6WithError(provider.NewWithOptions(ProviderVersion, provider.Options{Getenv: getenv, Polling: e.polling()})()),
	}
}

// polling is the provider's polling: quick against the simulator, which
// answers at once, and the provider's default against real services. A test
// that sets simulator_clock_speed (or its environment variable in Environ)
// replaces it.
func (e *Env) polling() shared.Polling {
	if e.real {
		return shared.Polling{}
	}
	return shared.Polling{Scale: 0.005}
}

// Config prefixes body with a provider block for both sides.
func (e *Env) Config(body string) string { return e.providerBlock(true) + body }

// AtlasOnlyConfig prefixes body with a provider block for the Atlas side only.
func (e *Env) AtlasOnlyConfig(body string) string { return e.providerBlock(false) + body }

// providerBlock configures the simulator's keys; against real services the
// provider reads the environment, as a pipeline would.
func (e *Env) providerBlock(withOpsManager bool) string {
	if e.real {
		return "provider \"atlasmig\" {}\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nprovider \"atlasmig\" {\n  max_retries = 2\n")
	side := func(block, url, pub, priv string) {
		fmt.Fprintf(&b, "  %s {\n    base_url    = %q\n    public_key  = %q\n    private_key = %q\n  }\n", block, url, pub, priv)
	}
	side("atlas", e.AtlasBaseURL, e.AtlasPublicKey, e.AtlasPrivateKey)
	if withOpsManager {
		side("ops_manager", e.OMBaseURL, e.OMPublicKey, e.OMPrivateKey)
	}
	b.WriteString("}\n")
	return b.String()
}

// Run runs a Terraform test case: resource.UnitTest against the simulator
// (nothing leaves the machine), resource.Test against real services. Every
// error Terraform reports is checked for secrets. Test cases run in
// parallel: each has its own simulator, environment and working directory,
// so a test must not change process-wide state (os.Setenv, os.Chdir).
func Run(t *testing.T, env *Env, tc resource.TestCase) {
	t.Helper()
	t.Parallel()
	run(t, env, tc)
}

// run runs tc against env's provider, failing the test when a Terraform
// error reveals a secret.
func run(t *testing.T, env *Env, tc resource.TestCase) {
	t.Helper()
	if tc.ProtoV6ProviderFactories == nil {
		tc.ProtoV6ProviderFactories = env.Factories()
	}
	inner := tc.ErrorCheck
	tc.ErrorCheck = func(err error) error {
		if err != nil {
			if leak := env.FindSecret(err.Error()); leak != "" {
				t.Errorf("a Terraform error reveals %s:\n%s", leak, err)
			}
		}
		if inner != nil {
			return inner(err)
		}
		return err
	}
	if env.real {
		resource.Test(t, tc)
		return
	}
	resource.UnitTest(t, tc)
}

// Secrets lists every secret of this environment: the configured private keys
// and client secrets, and every token the simulator issued.
func (e *Env) Secrets() map[string]string {
	secrets := map[string]string{}
	add := func(what, v string) {
		if len(v) >= secretscan.MinLength {
			secrets[v] = what
		}
	}
	add("the Atlas private key", e.AtlasPrivateKey)
	add("the Cloud/Ops Manager private key", e.OMPrivateKey)
	for k, v := range e.Environ {
		if strings.Contains(k, "PRIVATE") || strings.Contains(k, "SECRET") {
			add("the value of "+k, v)
		}
	}
	if e.Sim != nil {
		for _, s := range simulatorSecrets(e.Sim) {
			add(s.what, s.value)
		}
	}
	return secrets
}

// FindSecret returns a description of the first secret found in text, or "".
func (e *Env) FindSecret(text string) string {
	if leaks := secretscan.Find("a Terraform error", text, e.Secrets()); len(leaks) > 0 {
		return leaks[0].Secret
	}
	return ""
}

// RandomOrgID returns a well-formed organization id.
func RandomOrgID() string { return randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails since Go 1.24: it fills b entirely.
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CaptureAttribute copies an attribute's value out of the state.
func CaptureAttribute(address, attribute string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s not in state", address)
		}
		*into = rs.Primary.Attributes[attribute]
		if *into == "" {
			return fmt.Errorf("%s.%s is empty", address, attribute)
		}
		return nil
	}
}

// CheckAttributeChanged fails when an attribute still has the captured value.
func CheckAttributeChanged(address, attribute string, previous *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var now string
		if err := CaptureAttribute(address, attribute, &now)(s); err != nil {
			return err
		}
		if now == *previous {
			return fmt.Errorf("%s.%s did not change", address, attribute)
		}
		return nil
	}
}

// ImportedStatus checks the state an import produced.
func ImportedStatus(orgID, status string) resource.ImportStateCheckFunc {
	return func(states []*terraform.InstanceState) error {
		if len(states) != 1 {
			return fmt.Errorf("import produced %d resources, want 1", len(states))
		}
		attrs := states[0].Attributes
		if attrs["org_id"] != orgID || attrs["id"] != orgID || attrs["status"] != status {
			return fmt.Errorf("imported org_id=%q id=%q status=%q, want %q/%q/%q", attrs["org_id"], attrs["id"], attrs["status"], orgID, orgID, status)
		}
		if attrs["link_token"] != "" {
			return fmt.Errorf("an import cannot know the token, yet link_token is set")
		}
		return nil
	}
}

// ErrorMatching builds an ExpectError pattern from phrases that must appear
// in order. Terraform wraps diagnostics to its terminal width, so any space
// in a phrase matches any run of white space.
func ErrorMatching(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}
