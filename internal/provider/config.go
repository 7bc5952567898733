package provider

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
)

// Defaults shared by the schema descriptions and the resolution below, so the
// documentation can never disagree with the behaviour.
const (
	DefaultBaseURL        = "https://cloud.mongodb.com"
	DefaultMaxRetries     = 5
	DefaultRequestTimeout = client.DefaultRequestTimeout
	maxMaxRetries         = 20
	// MinRequestsPerSecond and MaxRequestsPerSecond bound the request rate
	// a user may set: from 36 requests an hour to far beyond any quota.
	MinRequestsPerSecond = 0.01
	MaxRequestsPerSecond = 10000
	// MinSimulatorClockSpeed is the slowest simulator_clock_speed: the
	// setting only ever shortens the provider's waits.
	MinSimulatorClockSpeed = 1
)

// The kinds of source ops_manager.kind names.
const (
	KindCloudManager = "cloud_manager"
	KindOpsManager   = "ops_manager"
)

// Environment variables read when an attribute is not set. The names are the
// ones MongoDB's own tools use, so existing pipelines work unchanged.
const (
	EnvAtlasBaseURL         = "MONGODB_ATLAS_BASE_URL"
	EnvAtlasPublicAPIKey    = "MONGODB_ATLAS_PUBLIC_API_KEY"
	EnvAtlasPublicKey       = "MONGODB_ATLAS_PUBLIC_KEY"
	EnvAtlasPrivateAPIKey   = "MONGODB_ATLAS_PRIVATE_API_KEY"
	EnvAtlasPrivateKey      = "MONGODB_ATLAS_PRIVATE_KEY"
	EnvAtlasClientID        = "MONGODB_ATLAS_CLIENT_ID"
	EnvAtlasClientSecret    = "MONGODB_ATLAS_CLIENT_SECRET"
	EnvOpsManagerURL        = "MCLI_OPS_MANAGER_URL"
	EnvOpsManagerPublicKey  = "MCLI_PUBLIC_API_KEY"
	EnvOpsManagerPrivateKey = "MCLI_PRIVATE_API_KEY"
	EnvOpsManagerCACert     = "MCLI_OPS_MANAGER_CA_CERTIFICATE"
	EnvOpsManagerSkipVerify = "MCLI_OPS_MANAGER_SKIP_VERIFY"
	// EnvAtlasCACert is the provider's own: MongoDB documents no variable
	// for a certificate authority of the Atlas side.
	EnvAtlasCACert    = "ATLASMIG_ATLAS_CA_CERT_FILE"
	EnvMaxRetries     = "ATLASMIG_MAX_RETRIES"
	EnvRequestTimeout = "ATLASMIG_REQUEST_TIMEOUT"
	// The provider's own: MongoDB's tools have no request rate setting.
	EnvAtlasMaxRequestsPerSecond      = "ATLASMIG_ATLAS_MAX_REQUESTS_PER_SECOND"
	EnvOpsManagerMaxRequestsPerSecond = "ATLASMIG_OPS_MANAGER_MAX_REQUESTS_PER_SECOND"
	EnvOpsManagerKind                 = "ATLASMIG_OPS_MANAGER_KIND"
	EnvSimulatorClockSpeed            = "ATLASMIG_SIMULATOR_CLOCK_SPEED"
	blockAtlas                        = "atlas"
	blockOpsManager                   = "ops_manager"
	credentialKindKeyPair             = "key pair"
	credentialKindServiceAcc          = "service account"
)

// SideAttributes holds what the user wrote in an `atlas` or `ops_manager`
// block. Empty strings mean "not set", exactly like an absent attribute.
type SideAttributes struct {
	BaseURL            string
	PublicKey          string
	PrivateKey         string
	ClientID           string
	ClientSecret       string
	CACertFile         string
	InsecureSkipVerify *bool
	// MaxRequestsPerSecond is nil when not set.
	MaxRequestsPerSecond *float64
	// Kind is ops_manager.kind; the atlas block has none.
	Kind string
}

// Attributes is the provider configuration as written, before environment
// variables and defaults are applied.
type Attributes struct {
	Atlas          SideAttributes
	OpsManager     SideAttributes
	MaxRetries     *int64
	RequestTimeout string
	// SimulatorClockSpeed is nil when not set.
	SimulatorClockSpeed *float64
}

// SideConfig is the resolved, validated configuration of one side.
type SideConfig struct {
	BaseURL            string
	PublicKey          string
	PrivateKey         string
	ClientID           string
	ClientSecret       string
	CACertFile         string
	InsecureSkipVerify bool
	// MaxRequestsPerSecond caps the requests to this side's API; zero
	// takes the quota from the API's answers (what it states, or its 429s).
	MaxRequestsPerSecond float64
	// Missing explains, in words a user can act on, why this side has no
	// credentials. It is empty when the side is usable.
	Missing string
}

// Usable reports whether the side has a complete set of credentials.
func (s SideConfig) Usable() bool { return s.Missing == "" }

// Config is the resolved provider configuration.
type Config struct {
	Atlas          SideConfig
	OpsManager     SideConfig
	MaxRetries     int
	RequestTimeout time.Duration
	// OpsManagerKind is KindCloudManager or KindOpsManager: what the source
	// is, from ops_manager.kind or guessed from ops_manager.base_url.
	OpsManagerKind string
	// SimulatorClockSpeed is the bundled simulator's clock speed the
	// provider's waits are scaled to (every wait divided by it); zero when
	// unset, for real time.
	SimulatorClockSpeed float64
}

// ConfigError is a problem with the provider configuration, tied to the
// attribute that causes it so the diagnostic can point at it.
type ConfigError struct {
	Attribute string // for example "atlas.base_url"; empty for provider-wide issues
	Summary   string
	Detail    string
}

// sideSpec describes where each attribute of a side may come from.
type sideSpec struct {
	block         string
	label         string
	baseURLEnv    []string
	publicKeyEnv  []string
	privateKeyEnv []string
	clientIDEnv   []string
	secretEnv     []string
	caCertEnv     []string
	skipVerifyEnv []string
	rateEnv       string
}

var (
	atlasSpec = sideSpec{
		block:         blockAtlas,
		label:         "Atlas",
		baseURLEnv:    []string{EnvAtlasBaseURL},
		publicKeyEnv:  []string{EnvAtlasPublicAPIKey, EnvAtlasPublicKey},
		privateKeyEnv: []string{EnvAtlasPrivateAPIKey, EnvAtlasPrivateKey},
		clientIDEnv:   []string{EnvAtlasClientID},
		secretEnv:     []string{EnvAtlasClientSecret},
		caCertEnv:     []string{EnvAtlasCACert},
		rateEnv:       EnvAtlasMaxRequestsPerSecond,
	}
	// MongoDB documents no environment variable for Cloud Manager service
	// accounts, so the ops_manager block takes them from attributes only.
	opsManagerSpec = sideSpec{
		block:         blockOpsManager,
		label:         "Cloud Manager / Ops Manager",
		baseURLEnv:    []string{EnvOpsManagerURL},
		publicKeyEnv:  []string{EnvOpsManagerPublicKey},
		privateKeyEnv: []string{EnvOpsManagerPrivateKey},
		caCertEnv:     []string{EnvOpsManagerCACert},
		skipVerifyEnv: []string{EnvOpsManagerSkipVerify},
		rateEnv:       EnvOpsManagerMaxRequestsPerSecond,
	}
)

// Resolve turns the written attributes and the environment into a validated
// configuration. Attributes win over environment variables; empty strings
// count as unset. All problems are returned together so a user fixes them in
// one pass.
func Resolve(attrs Attributes, getenv func(string) string) (Config, []ConfigError) {
	var errs []ConfigError
	cfg := Config{MaxRetries: DefaultMaxRetries, RequestTimeout: DefaultRequestTimeout}

	cfg.Atlas, errs = resolveSide(atlasSpec, attrs.Atlas, getenv, errs)
	cfg.OpsManager, errs = resolveSide(opsManagerSpec, attrs.OpsManager, getenv, errs)

	switch {
	case attrs.MaxRetries != nil:
		if *attrs.MaxRetries < 0 || *attrs.MaxRetries > maxMaxRetries {
			errs = append(errs, ConfigError{
				Attribute: "max_retries",
				Summary:   "Invalid Maximum Retries",
				Detail:    fmt.Sprintf("max_retries must be between 0 and %d; got %d.", maxMaxRetries, *attrs.MaxRetries),
			})
		} else {
			cfg.MaxRetries = int(*attrs.MaxRetries)
		}
	case getenv(EnvMaxRetries) != "":
		n, err := strconv.Atoi(strings.TrimSpace(getenv(EnvMaxRetries)))
		if err != nil || n < 0 || n > maxMaxRetries {
			errs = append(errs, ConfigError{
				Attribute: fromAttribute("max_retries", EnvMaxRetries),
				Summary:   "Invalid Maximum Retries",
				Detail:    fmt.Sprintf("The environment variable %s must be a whole number between 0 and %d; got %q.", EnvMaxRetries, maxMaxRetries, getenv(EnvMaxRetries)),
			})
		} else {
			cfg.MaxRetries = n
		}
	}

	timeout, source := attrs.RequestTimeout, "request_timeout"
	if timeout == "" && getenv(EnvRequestTimeout) != "" {
		timeout, source = getenv(EnvRequestTimeout), "the environment variable "+EnvRequestTimeout
	}
	if timeout != "" {
		d, err := time.ParseDuration(strings.TrimSpace(timeout))
		if err != nil || d <= 0 {
			errs = append(errs, ConfigError{
				Attribute: fromAttribute("request_timeout", source),
				Summary:   "Invalid Request Timeout",
				Detail:    fmt.Sprintf("%s must be a positive duration such as \"30s\" or \"2m\"; got %q.", source, timeout),
			})
		} else {
			cfg.RequestTimeout = d
		}
	}

	cfg.OpsManagerKind, errs = resolveKind(attrs.OpsManager.Kind, cfg.OpsManager.BaseURL, getenv, errs)
	cfg.SimulatorClockSpeed, errs = resolveClockSpeed(attrs, cfg, getenv, errs)
	return cfg, errs
}

// resolveKind reads ops_manager.kind, then its environment variable; unset,
// the kind follows the base URL: MongoDB's own hosts are Cloud Manager, any
// other host is an Ops Manager. A loopback host is no exception: a simulator
// playing Cloud Manager says so with the setting.
func resolveKind(attr, baseURL string, getenv func(string) string, errs []ConfigError) (string, []ConfigError) {
	raw, src := pick(attr, []string{EnvOpsManagerKind}, getenv)
	switch v := strings.TrimSpace(raw); v {
	case KindCloudManager, KindOpsManager:
		return v, errs
	case "":
	default:
		return "", append(errs, ConfigError{
			Attribute: fromAttribute(blockOpsManager+".kind", src),
			Summary:   "Invalid Source Kind",
			Detail: fmt.Sprintf("%s must be %q or %q; got %q. Unset it to decide from ops_manager.base_url: %s and %s are Cloud Manager, any other host is an Ops Manager.",
				describeSource(blockOpsManager+".kind", src), KindCloudManager, KindOpsManager, raw, cloudManagerHosts[0], cloudManagerHosts[1]),
		})
	}
	host := ""
	if u, err := url.Parse(baseURL); err == nil {
		host = u.Hostname()
	}
	if host == "" {
		return KindCloudManager, errs
	}
	for _, h := range cloudManagerHosts {
		if strings.EqualFold(host, h) {
			return KindCloudManager, errs
		}
	}
	return KindOpsManager, errs
}

// cloudManagerHosts are Cloud Manager's (and Atlas for Government's) hosts.
var cloudManagerHosts = [...]string{"cloud.mongodb.com", "cloud.mongodbgov.com"}

// resolveClockSpeed reads simulator_clock_speed, then its environment
// variable. The setting divides every wait of the provider by the speed, so
// it is refused unless every configured side is on a loopback host: against
// a real API it would only multiply the requests and spend the quota.
func resolveClockSpeed(attrs Attributes, cfg Config, getenv func(string) string, errs []ConfigError) (float64, []ConfigError) {
	const name = "simulator_clock_speed"
	v, source, set, notNumber := numberSetting(name, attrs.SimulatorClockSpeed, EnvSimulatorClockSpeed, getenv)
	switch {
	case notNumber != "":
		return 0, append(errs, ConfigError{
			Attribute: fromAttribute(name, source),
			Summary:   "Invalid Simulator Clock Speed",
			Detail: fmt.Sprintf("%s must be a number, the simulator's -clock-speed (simulated seconds per real second), such as 60; got %q. Unset it against a real API.",
				source, notNumber),
		})
	case !set:
		return 0, errs
	}
	if !(v >= MinSimulatorClockSpeed) || math.IsInf(v, 0) {
		return 0, append(errs, ConfigError{
			Attribute: fromAttribute(name, source),
			Summary:   "Invalid Simulator Clock Speed",
			Detail: fmt.Sprintf("%s must be a finite number of at least %d: the simulated seconds per real second of the bundled simulator's clock (its -clock-speed flag), such as 60; got %g. "+
				"Unset it for a simulator running in real time, and against any real API.", source, MinSimulatorClockSpeed, v),
		})
	}
	for _, s := range []struct {
		spec  sideSpec
		attrs SideAttributes
		side  SideConfig
	}{{atlasSpec, attrs.Atlas, cfg.Atlas}, {opsManagerSpec, attrs.OpsManager, cfg.OpsManager}} {
		explicit, _ := pick(s.attrs.BaseURL, s.spec.baseURLEnv, getenv)
		if explicit == "" && !s.side.Usable() {
			continue // a side with neither a base URL nor credentials is never called
		}
		u, err := url.Parse(s.side.BaseURL)
		if s.side.BaseURL == "" || err != nil || isLoopback(u.Hostname()) {
			continue // an unusable base URL has its own error
		}
		return 0, append(errs, ConfigError{
			Attribute: fromAttribute(name, source),
			Summary:   "Simulator Clock Speed Outside The Simulator",
			Detail: fmt.Sprintf("%s is %g, but the %s base URL %s is not a loopback host. The setting divides every wait of the provider by the speed of the bundled simulator's clock: "+
				"against a real API it would multiply the requests the provider sends and spend your quota. Unset %s (and the environment variable %s), "+
				"or point %s.base_url at the simulator (127.0.0.0/8, ::1 or localhost).",
				source, v, s.spec.label, s.side.BaseURL, name, EnvSimulatorClockSpeed, s.spec.block),
		})
	}
	return v, errs
}

func resolveSide(spec sideSpec, attrs SideAttributes, getenv func(string) string, errs []ConfigError) (SideConfig, []ConfigError) {
	side := SideConfig{}

	rawURL, urlSource := pick(attrs.BaseURL, spec.baseURLEnv, getenv)
	if rawURL == "" {
		rawURL, urlSource = DefaultBaseURL, "the default"
	}
	baseURL, err := normalizeBaseURL(rawURL)
	if err != nil {
		errs = append(errs, ConfigError{
			Attribute: fromAttribute(spec.block+".base_url", urlSource),
			Summary:   "Invalid Base URL",
			Detail:    fmt.Sprintf("The %s base URL from %s is not usable: %s", spec.label, describeSource(spec.block+".base_url", urlSource), err),
		})
	}
	side.BaseURL = baseURL

	// Credentials written in the block decide the kind; the environment only
	// fills the same kind. This keeps a stray MONGODB_ATLAS_CLIENT_ID in a CI
	// runner from conflicting with keys written in the configuration.
	attrKeyPair := attrs.PublicKey != "" || attrs.PrivateKey != ""
	attrService := attrs.ClientID != "" || attrs.ClientSecret != ""
	if attrKeyPair && attrService {
		errs = append(errs, ConfigError{
			Attribute: spec.block,
			Summary:   "Conflicting Credentials",
			Detail: fmt.Sprintf("The %s block sets both an API key pair (%[2]s.public_key, %[2]s.private_key) and a service account (%[2]s.client_id, %[2]s.client_secret). Keep exactly one of them.",
				spec.block, spec.block),
		})
		return side, errs
	}

	pub, pubSrc := pick(attrs.PublicKey, spec.publicKeyEnv, getenv)
	priv, privSrc := pick(attrs.PrivateKey, spec.privateKeyEnv, getenv)
	id, idSrc := pick(attrs.ClientID, spec.clientIDEnv, getenv)
	secret, secretSrc := pick(attrs.ClientSecret, spec.secretEnv, getenv)
	switch {
	case attrKeyPair:
		id, secret = "", ""
	case attrService:
		pub, priv = "", ""
	}
	envKeyPair := pub != "" || priv != ""
	envService := id != "" || secret != ""
	if envKeyPair && envService {
		errs = append(errs, ConfigError{
			Attribute: spec.block,
			Summary:   "Conflicting Credentials",
			Detail: fmt.Sprintf("The environment provides both an API key pair (%s, %s) and a service account (%s, %s) for %s. Unset one of them, or write the one to use in the %s block.",
				describeSource(spec.block+".public_key", pubSrc), describeSource(spec.block+".private_key", privSrc),
				describeSource(spec.block+".client_id", idSrc), describeSource(spec.block+".client_secret", secretSrc),
				spec.label, spec.block),
		})
		return side, errs
	}

	switch {
	case envKeyPair:
		errs = requirePair(spec, "public_key", pub, spec.publicKeyEnv, "private_key", priv, spec.privateKeyEnv, credentialKindKeyPair, errs)
		side.PublicKey, side.PrivateKey = pub, priv
	case envService:
		errs = requirePair(spec, "client_id", id, spec.clientIDEnv, "client_secret", secret, spec.secretEnv, credentialKindServiceAcc, errs)
		side.ClientID, side.ClientSecret = id, secret
	default:
		side.Missing = missingCredentials(spec)
	}

	side.MaxRequestsPerSecond, errs = resolveRate(spec, attrs.MaxRequestsPerSecond, getenv, errs)
	side.CACertFile, _ = pick(attrs.CACertFile, spec.caCertEnv, getenv)
	switch {
	case attrs.InsecureSkipVerify != nil:
		side.InsecureSkipVerify = *attrs.InsecureSkipVerify
	default:
		raw, src := pick("", spec.skipVerifyEnv, getenv)
		if raw != "" {
			v, err := strconv.ParseBool(strings.TrimSpace(raw))
			if err != nil {
				errs = append(errs, ConfigError{
					Attribute: fromAttribute(spec.block+".insecure_skip_verify", src),
					Summary:   "Invalid Boolean",
					Detail:    fmt.Sprintf("%s must be true or false; got %q.", describeSource("", src), raw),
				})
			}
			side.InsecureSkipVerify = v
		}
	}
	return side, errs
}

// resolveRate reads the side's request rate from its attribute, then from
// its environment variable; unset, the rate is learned (zero).
func resolveRate(spec sideSpec, attr *float64, getenv func(string) string, errs []ConfigError) (float64, []ConfigError) {
	name := spec.block + ".max_requests_per_second"
	v, source, set, notNumber := numberSetting(name, attr, spec.rateEnv, getenv)
	switch {
	case notNumber != "":
		return 0, append(errs, ConfigError{
			Attribute: fromAttribute(name, source),
			Summary:   "Invalid Request Rate",
			Detail: fmt.Sprintf("%s must be a number of requests per second, such as 10 or 1.5; got %q. Unset it to let the provider learn the %s quota from the API's answers: the figures it states, or its answers 429.",
				source, notNumber, spec.label),
		})
	case !set:
		return 0, errs
	}
	if !(v >= MinRequestsPerSecond && v <= MaxRequestsPerSecond) {
		return 0, append(errs, ConfigError{
			Attribute: fromAttribute(name, source),
			Summary:   "Invalid Request Rate",
			Detail: fmt.Sprintf("%s must be between %g and %g requests per second; got %g. Set it to the quota of your %s API key (for example 1.6 for 100 requests a minute), or unset it to let the provider learn the quota from the API's answers: the figures it states, or its answers 429.",
				source, float64(MinRequestsPerSecond), float64(MaxRequestsPerSecond), v, spec.label),
		})
	}
	return v, errs
}

// numberSetting reads a number from its attribute, else from its environment
// variable. source names where it came from, for messages; set is false when
// neither holds it; notNumber is the environment's text when that is not a
// number.
func numberSetting(name string, attr *float64, envName string, getenv func(string) string) (v float64, source string, set bool, notNumber string) {
	if attr != nil {
		return *attr, name, true, ""
	}
	raw := strings.TrimSpace(getenv(envName))
	if raw == "" {
		return 0, name, false, ""
	}
	source = "the environment variable " + envName
	parsed, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return 0, source, false, raw
	}
	return parsed, source, true, ""
}

// requirePair reports a half-set credential pair, naming the missing half and
// where it may come from.
func requirePair(spec sideSpec, firstName, first string, firstEnv []string, secondName, second string, secondEnv []string, kind string, errs []ConfigError) []ConfigError {
	missing := func(name string, env []string) ConfigError {
		return ConfigError{
			Attribute: spec.block + "." + name,
			Summary:   "Incomplete " + titleCase(kind),
			Detail: fmt.Sprintf("The %s %s is incomplete: %s.%s is not set%s. Set it, or remove the other half of the pair.",
				spec.label, kind, spec.block, name, envHint(env)),
		}
	}
	if first == "" {
		errs = append(errs, missing(firstName, firstEnv))
	}
	if second == "" {
		errs = append(errs, missing(secondName, secondEnv))
	}
	return errs
}

func missingCredentials(spec sideSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The provider has no %s credentials. Set %s.public_key and %s.private_key", spec.label, spec.block, spec.block)
	if len(spec.publicKeyEnv) > 0 {
		fmt.Fprintf(&b, " (or the environment variables %s)", envPairs(spec.publicKeyEnv, spec.privateKeyEnv))
	}
	fmt.Fprintf(&b, ", or a service account with %s.client_id and %s.client_secret", spec.block, spec.block)
	if len(spec.clientIDEnv) > 0 {
		fmt.Fprintf(&b, " (or %s and %s)", spec.clientIDEnv[0], spec.secretEnv[0])
	}
	b.WriteString(".")
	return b.String()
}

func envPairs(first, second []string) string {
	pairs := make([]string, 0, len(first))
	for i := range first {
		pairs = append(pairs, first[i]+" and "+second[i])
	}
	return strings.Join(pairs, ", or ")
}

func envHint(env []string) string {
	if len(env) == 0 {
		return ""
	}
	return " (nor the environment variable " + strings.Join(env, " or ") + ")"
}

// pick returns the attribute when set, otherwise the first non-empty
// environment variable, with the name of where the value came from.
func pick(attr string, env []string, getenv func(string) string) (string, string) {
	if attr != "" {
		return attr, ""
	}
	for _, name := range env {
		if v := getenv(name); v != "" {
			return v, name
		}
	}
	return "", ""
}

// fromAttribute is the attribute a problem is reported against: the one
// named, when the value came from it (source is the attribute's name, or
// empty as pick returns it), and none when it came from the environment.
// Terraform points an attribute's diagnostic at its line in the
// configuration, and `simulator_clock_speed = var.speed` with a null
// variable set nothing: the environment did.
func fromAttribute(attribute, source string) string {
	if source == "" || source == attribute {
		return attribute
	}
	return ""
}

func describeSource(attribute, envName string) string {
	if envName == "" {
		return attribute
	}
	if !strings.HasPrefix(envName, "the ") {
		return "the environment variable " + envName
	}
	return envName
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// normalizeBaseURL accepts a URL with or without a trailing slash and refuses
// plain http:// to anything but the loopback interface, where the bundled
// simulator runs: credentials and link tokens must never cross a network in
// clear text.
func normalizeBaseURL(raw string) (string, error) {
	// Messages show the URL without what may be a secret in it, whatever
	// else is wrong with it.
	shown := client.RedactedURL(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("%q is not an absolute http(s) URL such as %s", shown, DefaultBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q carries credentials; the URL must not: use the public_key/private_key or client_id/client_secret attributes", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%q must not have a query or fragment", shown)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%q uses plain http://, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost). Use https://", shown)
	}
	// The provider appends the API paths (/api/atlas/v2/..., /api/public/v1.0/...)
	// itself. A base URL with a path of its own would send every request
	// to a page that is not the API, whose 404s could pass for "already
	// removed".
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		return "", fmt.Errorf("%q has a path (%s); give the scheme, host and port only, such as %s://%s: the provider adds the API paths itself", shown, p, u.Scheme, u.Host)
	}
	u.Path = ""
	u.RawPath = ""
	return u.String(), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
