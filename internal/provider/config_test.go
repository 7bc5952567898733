package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func ptr[T any](v T) *T { return &v }

func TestResolveAttributesWinOverEnvironment(t *testing.T) {
	cfg, errs := Resolve(Attributes{
		Atlas: SideAttributes{BaseURL: "http://127.0.0.1:8080/", PublicKey: "attr-pub", PrivateKey: "attr-priv"},
	}, env(map[string]string{
		EnvAtlasBaseURL:       "https://env.example.com",
		EnvAtlasPublicAPIKey:  "env-pub",
		EnvAtlasPrivateAPIKey: "env-priv",
	}))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.Atlas.BaseURL != "http://127.0.0.1:8080" || cfg.Atlas.PublicKey != "attr-pub" || cfg.Atlas.PrivateKey != "attr-priv" {
		t.Fatalf("attributes did not win: %+v", cfg.Atlas)
	}
}

func TestResolveEnvironmentFallbacksInOrder(t *testing.T) {
	cfg, errs := Resolve(Attributes{}, env(map[string]string{
		EnvAtlasPublicKey:       "sdk-pub",
		EnvAtlasPrivateAPIKey:   "cli-priv",
		EnvAtlasPrivateKey:      "sdk-priv",
		EnvOpsManagerURL:        "https://om.example.com:8443/",
		EnvOpsManagerPublicKey:  "om-pub",
		EnvOpsManagerPrivateKey: "om-priv",
		EnvOpsManagerCACert:     "/etc/ca.pem",
		EnvAtlasCACert:          "/etc/atlas-ca.pem",
		EnvOpsManagerSkipVerify: "true",
		EnvMaxRetries:           "3",
		EnvRequestTimeout:       "5s",
	}))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.Atlas.PublicKey != "sdk-pub" || cfg.Atlas.PrivateKey != "cli-priv" {
		t.Errorf("atlas keys = %q/%q, want sdk-pub/cli-priv (CLI name first, SDK name second)", cfg.Atlas.PublicKey, cfg.Atlas.PrivateKey)
	}
	if cfg.Atlas.BaseURL != DefaultBaseURL {
		t.Errorf("atlas base url = %q, want default", cfg.Atlas.BaseURL)
	}
	if cfg.Atlas.CACertFile != "/etc/atlas-ca.pem" {
		t.Errorf("atlas CA file = %q, want it from %s", cfg.Atlas.CACertFile, EnvAtlasCACert)
	}
	want := SideConfig{BaseURL: "https://om.example.com:8443", PublicKey: "om-pub", PrivateKey: "om-priv", CACertFile: "/etc/ca.pem", InsecureSkipVerify: true}
	if cfg.OpsManager != want {
		t.Errorf("ops manager = %+v, want %+v", cfg.OpsManager, want)
	}
	if cfg.MaxRetries != 3 || cfg.RequestTimeout != 5*time.Second {
		t.Errorf("max retries %d, timeout %s", cfg.MaxRetries, cfg.RequestTimeout)
	}
}

func TestResolveDefaults(t *testing.T) {
	cfg, errs := Resolve(Attributes{}, env(nil))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.MaxRetries != DefaultMaxRetries || cfg.RequestTimeout != DefaultRequestTimeout {
		t.Errorf("defaults: %d, %s", cfg.MaxRetries, cfg.RequestTimeout)
	}
	for name, side := range map[string]SideConfig{"atlas": cfg.Atlas, "ops_manager": cfg.OpsManager} {
		if side.Usable() {
			t.Errorf("%s usable without credentials", name)
		}
		if !strings.Contains(side.Missing, name+".public_key") || !strings.Contains(side.Missing, name+".client_id") {
			t.Errorf("%s missing message does not name the attributes: %s", name, side.Missing)
		}
	}
	for _, v := range []string{EnvAtlasPublicAPIKey, EnvAtlasPrivateKey, EnvAtlasClientID, EnvAtlasClientSecret} {
		if !strings.Contains(cfg.Atlas.Missing, v) {
			t.Errorf("atlas missing message does not name %s: %s", v, cfg.Atlas.Missing)
		}
	}
	if !strings.Contains(cfg.OpsManager.Missing, EnvOpsManagerPublicKey) {
		t.Errorf("ops manager missing message does not name %s", EnvOpsManagerPublicKey)
	}
}

func TestResolveServiceAccountFromEnvironment(t *testing.T) {
	cfg, errs := Resolve(Attributes{}, env(map[string]string{EnvAtlasClientID: "id", EnvAtlasClientSecret: "secret"}))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.Atlas.ClientID != "id" || cfg.Atlas.ClientSecret != "secret" || cfg.Atlas.PublicKey != "" {
		t.Fatalf("service account not resolved: %+v", cfg.Atlas)
	}
}

func TestResolveAttributesChooseTheCredentialKind(t *testing.T) {
	// Keys in the configuration are not in conflict with a service account
	// left in the environment: the configuration decides.
	cfg, errs := Resolve(Attributes{Atlas: SideAttributes{PublicKey: "p", PrivateKey: "k"}},
		env(map[string]string{EnvAtlasClientID: "id", EnvAtlasClientSecret: "secret"}))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.Atlas.ClientID != "" || cfg.Atlas.PublicKey != "p" {
		t.Fatalf("environment service account leaked into key pair config: %+v", cfg.Atlas)
	}
	// A public key in configuration with the private key in the environment
	// is a normal way to keep the secret out of files.
	cfg, errs = Resolve(Attributes{Atlas: SideAttributes{PublicKey: "p"}}, env(map[string]string{EnvAtlasPrivateKey: "k"}))
	if len(errs) != 0 || cfg.Atlas.PrivateKey != "k" {
		t.Fatalf("private key from environment not used: %+v %+v", cfg.Atlas, errs)
	}
}

func TestResolveErrors(t *testing.T) {
	cases := []struct {
		name      string
		attrs     Attributes
		env       map[string]string
		attribute string
		contains  []string
	}{
		{"both kinds in block", Attributes{Atlas: SideAttributes{PublicKey: "p", PrivateKey: "k", ClientID: "i"}}, nil,
			"atlas", []string{"atlas.public_key", "atlas.client_id", "exactly one"}},
		{"both kinds in environment", Attributes{}, map[string]string{EnvAtlasPublicKey: "p", EnvAtlasPrivateKey: "k", EnvAtlasClientID: "i", EnvAtlasClientSecret: "s"},
			"atlas", []string{EnvAtlasPublicKey, EnvAtlasClientID}},
		{"half key pair", Attributes{OpsManager: SideAttributes{PublicKey: "p"}}, nil,
			"ops_manager.private_key", []string{"ops_manager.private_key", EnvOpsManagerPrivateKey}},
		{"half service account", Attributes{Atlas: SideAttributes{ClientSecret: "s"}}, nil,
			"atlas.client_id", []string{"atlas.client_id", EnvAtlasClientID}},
		{"plain http to a remote host", Attributes{Atlas: SideAttributes{BaseURL: "http://cloud.example.com"}}, nil,
			"atlas.base_url", []string{"http://", "loopback", "https://"}},
		{"not a URL", Attributes{OpsManager: SideAttributes{BaseURL: "opsmanager:8080"}}, nil,
			"ops_manager.base_url", []string{"absolute"}},
		{"URL with user info", Attributes{Atlas: SideAttributes{BaseURL: "https://u:p@cloud.example.com"}}, nil,
			"atlas.base_url", []string{"credentials"}},
		// A value from the environment is reported against no attribute:
		// Terraform would point at an attribute line that set nothing
		// (`base_url = var.url` with a null variable).
		{"base url from environment", Attributes{}, map[string]string{EnvOpsManagerURL: "http://10.0.0.5:8080"},
			"", []string{EnvOpsManagerURL}},
		{"base url with a path", Attributes{Atlas: SideAttributes{BaseURL: "https://proxy.example.com/atlas/"}}, nil,
			"atlas.base_url", []string{"has a path (/atlas)", "https://proxy.example.com", "adds the API paths"}},
		{"ops manager base url with an API path", Attributes{}, map[string]string{EnvOpsManagerURL: "https://om.example.com:8443/api/public/v1.0"},
			"", []string{EnvOpsManagerURL, "has a path"}},
		{"negative retries", Attributes{MaxRetries: ptr[int64](-1)}, nil, "max_retries", []string{"between 0"}},
		{"bad retries env", Attributes{}, map[string]string{EnvMaxRetries: "many"}, "", []string{EnvMaxRetries}},
		{"bad timeout env", Attributes{}, map[string]string{EnvRequestTimeout: "soon"}, "", []string{EnvRequestTimeout}},
		{"bad kind env", Attributes{}, map[string]string{EnvOpsManagerKind: "opsmanager"}, "", []string{EnvOpsManagerKind}},
		{"bad timeout", Attributes{RequestTimeout: "soon"}, nil, "request_timeout", []string{"30s"}},
		{"bad skip verify env", Attributes{}, map[string]string{EnvOpsManagerSkipVerify: "maybe"}, "", []string{EnvOpsManagerSkipVerify}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Resolve(tc.attrs, env(tc.env))
			if len(errs) == 0 {
				t.Fatal("expected an error")
			}
			found := false
			for _, e := range errs {
				if e.Attribute != tc.attribute {
					continue
				}
				found = true
				for _, c := range tc.contains {
					if !strings.Contains(e.Summary+" "+e.Detail, c) {
						t.Errorf("error %q does not mention %q", e.Detail, c)
					}
				}
			}
			if !found {
				t.Fatalf("no error on %s: %+v", tc.attribute, errs)
			}
		})
	}
}

func TestResolveLoopbackHTTPAllowed(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1234", "http://127.8.9.10/", "http://[::1]:99", "http://localhost:8080/", "https://cloud.mongodbgov.com/"} {
		cfg, errs := Resolve(Attributes{Atlas: SideAttributes{BaseURL: u}}, env(nil))
		if len(errs) != 0 {
			t.Errorf("%s: %+v", u, errs)
		}
		if strings.HasSuffix(cfg.Atlas.BaseURL, "/") {
			t.Errorf("%s: trailing slash kept: %s", u, cfg.Atlas.BaseURL)
		}
	}
}

func TestResolveErrorsNeverEchoSecrets(t *testing.T) {
	secret := "super-secret-private-key"
	_, errs := Resolve(Attributes{
		Atlas:      SideAttributes{PrivateKey: secret, ClientSecret: secret},
		OpsManager: SideAttributes{PrivateKey: secret},
	}, env(map[string]string{EnvAtlasClientSecret: secret}))
	if len(errs) == 0 {
		t.Fatal("expected errors")
	}
	for _, e := range errs {
		if strings.Contains(e.Summary+e.Detail, secret) {
			t.Fatalf("error carries the secret: %+v", e)
		}
	}
}

func TestResolveRequestRate(t *testing.T) {
	cfg, errs := Resolve(Attributes{Atlas: SideAttributes{MaxRequestsPerSecond: ptr(5.0)}}, env(map[string]string{
		EnvAtlasMaxRequestsPerSecond:      "50",
		EnvOpsManagerMaxRequestsPerSecond: " 1.6 ",
	}))
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
	if cfg.Atlas.MaxRequestsPerSecond != 5 || cfg.OpsManager.MaxRequestsPerSecond != 1.6 {
		t.Fatalf("rates %v and %v, want 5 (attribute over environment) and 1.6 (environment)", cfg.Atlas.MaxRequestsPerSecond, cfg.OpsManager.MaxRequestsPerSecond)
	}
	if cfg, _ := Resolve(Attributes{}, env(nil)); cfg.Atlas.MaxRequestsPerSecond != 0 || cfg.OpsManager.MaxRequestsPerSecond != 0 {
		t.Fatal("unset, the rate must be learned (zero)")
	}
	cases := []struct {
		attrs Attributes
		vars  map[string]string
		attr  string
		want  []string
	}{
		{Attributes{Atlas: SideAttributes{MaxRequestsPerSecond: ptr(0.0)}}, nil, "atlas.max_requests_per_second", []string{"between 0.01 and 10000", "got 0", "learn"}},
		{Attributes{OpsManager: SideAttributes{MaxRequestsPerSecond: ptr(-2.0)}}, nil, "ops_manager.max_requests_per_second", []string{"ops_manager.max_requests_per_second", "got -2"}},
		{Attributes{}, map[string]string{EnvOpsManagerMaxRequestsPerSecond: "fast"}, "", []string{EnvOpsManagerMaxRequestsPerSecond, `"fast"`}},
		{Attributes{}, map[string]string{EnvAtlasMaxRequestsPerSecond: "NaN"}, "", []string{EnvAtlasMaxRequestsPerSecond, "between"}},
		{Attributes{}, map[string]string{EnvAtlasMaxRequestsPerSecond: "1e9"}, "", []string{EnvAtlasMaxRequestsPerSecond, "between"}},
	}
	for _, tc := range cases {
		_, errs := Resolve(tc.attrs, env(tc.vars))
		wantOneError(t, fmt.Sprintf("%+v %v", tc.attrs, tc.vars), errs, tc.attr, "Invalid Request Rate", tc.want)
	}
}

func TestResolveOpsManagerKind(t *testing.T) {
	cases := []struct {
		name  string
		attrs Attributes
		vars  map[string]string
		want  string
	}{
		{"unset is Cloud Manager", Attributes{}, nil, KindCloudManager},
		{"Cloud Manager's host", Attributes{OpsManager: SideAttributes{BaseURL: "https://cloud.mongodb.com/"}}, nil, KindCloudManager},
		{"Atlas for Government's host", Attributes{}, map[string]string{EnvOpsManagerURL: "https://Cloud.MongoDBGov.com"}, KindCloudManager},
		{"any other host", Attributes{OpsManager: SideAttributes{BaseURL: "https://om.example.com:8443"}}, nil, KindOpsManager},
		// A loopback host is not special: the simulator says what it plays.
		{"loopback", Attributes{OpsManager: SideAttributes{BaseURL: "http://127.0.0.1:9999"}}, nil, KindOpsManager},
		{"localhost", Attributes{}, map[string]string{EnvOpsManagerURL: "http://localhost:9999"}, KindOpsManager},
		{"loopback said to be Cloud Manager", Attributes{OpsManager: SideAttributes{BaseURL: "http://127.0.0.1:9999"}},
			map[string]string{EnvOpsManagerKind: "cloud_manager"}, KindCloudManager},
		{"a proxy host in front of Cloud Manager", Attributes{OpsManager: SideAttributes{BaseURL: "https://cm-proxy.example.com", Kind: "cloud_manager"}}, nil, KindCloudManager},
		{"an Ops Manager on a cloud-like host", Attributes{OpsManager: SideAttributes{Kind: "ops_manager"}}, nil, KindOpsManager},
		{"the attribute wins", Attributes{OpsManager: SideAttributes{Kind: "ops_manager"}}, map[string]string{EnvOpsManagerKind: "cloud_manager"}, KindOpsManager},
	}
	for _, tc := range cases {
		cfg, errs := Resolve(tc.attrs, env(tc.vars))
		if len(errs) != 0 {
			t.Errorf("%s: unexpected errors %+v", tc.name, errs)
			continue
		}
		if cfg.OpsManagerKind != tc.want {
			t.Errorf("%s: kind %q, want %q", tc.name, cfg.OpsManagerKind, tc.want)
		}
	}

	for _, tc := range []struct {
		attrs Attributes
		vars  map[string]string
		want  []string
	}{
		{Attributes{OpsManager: SideAttributes{Kind: "opsmanager"}}, nil, []string{`ops_manager.kind must be "cloud_manager" or "ops_manager"; got "opsmanager"`, "Unset it to decide from ops_manager.base_url"}},
		{Attributes{}, map[string]string{EnvOpsManagerKind: "Cloud Manager"}, []string{"the environment variable " + EnvOpsManagerKind + ` must be "cloud_manager" or "ops_manager"; got "Cloud Manager"`}},
	} {
		_, errs := Resolve(tc.attrs, env(tc.vars))
		attribute := "ops_manager.kind"
		if tc.attrs.OpsManager.Kind == "" {
			attribute = "" // from the environment
		}
		wantOneError(t, fmt.Sprintf("%+v %v", tc.attrs, tc.vars), errs, attribute, "Invalid Source Kind", tc.want)
	}
}

func TestResolveSimulatorClockSpeed(t *testing.T) {
	sim := "http://127.0.0.1:7777"
	simBoth := Attributes{
		Atlas:      SideAttributes{BaseURL: sim, PublicKey: "p", PrivateKey: "k"},
		OpsManager: SideAttributes{BaseURL: "http://[::1]:7777", PublicKey: "p", PrivateKey: "k"},
	}
	for _, tc := range []struct {
		name  string
		attrs Attributes
		vars  map[string]string
		want  float64
	}{
		{"unset", simBoth, nil, 0},
		{"attribute", withSpeed(simBoth, 60), nil, 60},
		{"environment", simBoth, map[string]string{EnvSimulatorClockSpeed: " 1000 "}, 1000},
		{"the attribute wins", withSpeed(simBoth, 1), map[string]string{EnvSimulatorClockSpeed: "1000"}, 1},
		// A side with neither credentials nor a base URL is never called.
		{"an unused side at its default URL", Attributes{SimulatorClockSpeed: ptr(60.0)},
			map[string]string{EnvAtlasBaseURL: "http://localhost:7777", EnvAtlasPublicKey: "p", EnvAtlasPrivateKey: "k"}, 60},
	} {
		cfg, errs := Resolve(tc.attrs, env(tc.vars))
		if len(errs) != 0 {
			t.Errorf("%s: unexpected errors %+v", tc.name, errs)
			continue
		}
		if cfg.SimulatorClockSpeed != tc.want {
			t.Errorf("%s: speed %g, want %g", tc.name, cfg.SimulatorClockSpeed, tc.want)
		}
	}

	// A speed from the environment is reported against no attribute: with
	// `simulator_clock_speed = var.speed` and a null variable, Terraform
	// would point at that line, which set nothing.
	for _, tc := range []struct {
		name    string
		attrs   Attributes
		vars    map[string]string
		summary string
		want    []string
	}{
		{"below 1", withSpeed(simBoth, 0.5), nil, "Invalid Simulator Clock Speed",
			[]string{"simulator_clock_speed must be a finite number of at least 1", "-clock-speed", "got 0.5"}},
		{"zero from the environment", simBoth, map[string]string{EnvSimulatorClockSpeed: "0"}, "Invalid Simulator Clock Speed",
			[]string{"the environment variable " + EnvSimulatorClockSpeed + " must be a finite number of at least 1", "got 0"}},
		{"not a number", simBoth, map[string]string{EnvSimulatorClockSpeed: "fast"}, "Invalid Simulator Clock Speed",
			[]string{EnvSimulatorClockSpeed, `got "fast"`}},
		{"infinite", simBoth, map[string]string{EnvSimulatorClockSpeed: "+Inf"}, "Invalid Simulator Clock Speed", []string{"finite"}},
		{"real Atlas by default", Attributes{SimulatorClockSpeed: ptr(60.0), Atlas: SideAttributes{PublicKey: "p", PrivateKey: "k"}}, nil,
			"Simulator Clock Speed Outside The Simulator",
			[]string{"simulator_clock_speed is 60", "the Atlas base URL https://cloud.mongodb.com is not a loopback host", "multiply the requests",
				"Unset simulator_clock_speed (and the environment variable " + EnvSimulatorClockSpeed + "), or point atlas.base_url at the simulator"}},
		{"an Ops Manager host", Attributes{Atlas: simBoth.Atlas, OpsManager: SideAttributes{BaseURL: "https://om.example.com:8443"}},
			map[string]string{EnvSimulatorClockSpeed: "60"}, "Simulator Clock Speed Outside The Simulator",
			[]string{"the environment variable " + EnvSimulatorClockSpeed + " is 60", "Cloud Manager / Ops Manager base URL https://om.example.com:8443", "point ops_manager.base_url at the simulator"}},
	} {
		_, errs := Resolve(tc.attrs, env(tc.vars))
		attribute := "simulator_clock_speed"
		if tc.attrs.SimulatorClockSpeed == nil {
			attribute = ""
		}
		wantOneError(t, tc.name, errs, attribute, tc.summary, tc.want)
	}
}

// wantOneError asserts that errs is one error with this attribute and
// summary, whose detail says every one of want.
func wantOneError(t *testing.T, name string, errs []ConfigError, attribute, summary string, want []string) {
	t.Helper()
	if len(errs) != 1 || errs[0].Attribute != attribute || errs[0].Summary != summary {
		t.Errorf("%s: errors %+v, want one %s on %s", name, errs, summary, attribute)
		return
	}
	for _, w := range want {
		if !strings.Contains(errs[0].Detail, w) {
			t.Errorf("%s: detail %q lacks %q", name, errs[0].Detail, w)
		}
	}
}

func withSpeed(a Attributes, speed float64) Attributes {
	a.SimulatorClockSpeed = &speed
	return a
}

// TestBaseURLCredentialsNeverEchoed: whatever is wrong with a base URL that
// carries credentials — user info, a key in the query — the error shows the
// URL without them.
func TestBaseURLCredentialsNeverEchoed(t *testing.T) {
	for _, raw := range []string{
		"https://admin:s3cr%t@cloud.example.com",
		"ftp://admin:s3cret@cloud.example.com",
		"https://cloud.example.com?apikey=s3cret",
		"https://cloud.example.com/?apikey=s3cret",
		"http://admin:s3cret@remote.example.com",
		"https://admin:s3cret@cloud.example.com/atlas",
		"admin:s3cret@cloud.example.com",
		"https:/admin:s3cret@cloud.example.com",
		"https://cloud.example.com#s3cret",
		" https://admin:s3cret@ cloud.example.com",
	} {
		for _, source := range []string{"attribute", "environment"} {
			attrs, vars := Attributes{Atlas: SideAttributes{BaseURL: raw}}, map[string]string(nil)
			if source == "environment" {
				attrs, vars = Attributes{}, map[string]string{EnvAtlasBaseURL: raw}
			}
			_, errs := Resolve(attrs, env(vars))
			if len(errs) == 0 {
				t.Errorf("%s from the %s: accepted", raw, source)
				continue
			}
			for _, e := range errs {
				if text := e.Summary + " " + e.Detail; strings.Contains(text, "s3cr") || strings.Contains(text, "admin") {
					t.Errorf("%s from the %s: the error echoes the credentials: %s", raw, source, text)
				}
			}
		}
	}
}
