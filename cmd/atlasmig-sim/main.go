// Command atlasmig-sim runs the in-memory simulator of the Atlas and Cloud
// Manager / Ops Manager APIs on a loopback address, for local development,
// the demo and pipeline tests. It prints `export NAME=value` lines with the
// base URLs and credentials, so `eval "$(atlasmig-sim ...)"`-style use works
// (or redirect the output to a file and source it).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "atlasmig-sim:", err)
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	opts      simulator.Options
	server    simulator.ServerOptions
	caOut     string
	readyFile string
	faults    map[simulator.Route]simulator.Fault
}

type faultFlags []string

func (f *faultFlags) String() string     { return strings.Join(*f, " ") }
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

// parseFlags maps the command line to simulator options.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var (
		c                                  config
		atlasPub, atlasPriv, omPub, omPriv string
		atlasID, atlasSecret, omID, omSec  string
		stateFile, statusWithoutLink       string
		rate                               float64
		burst                              int
		stated                             bool
		faults                             faultFlags
	)
	fs := flag.NewFlagSet("atlasmig-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs, stderr)
	fs.StringVar(&c.server.Addr, "addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0 picks a free one)")
	fs.StringVar(&atlasPub, "atlas-public-key", "", "Atlas API public key (default: generated)")
	fs.StringVar(&atlasPriv, "atlas-private-key", "", "Atlas API private key (default: generated)")
	fs.StringVar(&omPub, "om-public-key", "", "Cloud/Ops Manager API public key (default: generated)")
	fs.StringVar(&omPriv, "om-private-key", "", "Cloud/Ops Manager API private key (default: generated)")
	fs.StringVar(&atlasID, "atlas-client-id", "", "Atlas service account client id (enables service accounts)")
	fs.StringVar(&atlasSecret, "atlas-client-secret", "", "Atlas service account client secret")
	fs.StringVar(&omID, "om-client-id", "", "Cloud Manager service account client id")
	fs.StringVar(&omSec, "om-client-secret", "", "Cloud Manager service account client secret")
	fs.BoolVar(&c.server.TLS, "tls", false, "serve HTTPS with a generated certificate authority")
	fs.StringVar(&c.caOut, "ca-cert-out", "", "write the certificate authority's PEM to this `file` (with -tls)")
	fs.StringVar(&stateFile, "state", "", "seed state from this JSON `file` (inventory, active migrations)")
	fs.DurationVar(&c.opts.Latency, "latency", 0, "latency added to every HTTP request")
	fs.Float64Var(&rate, "rate-limit", 0, "token bucket rate in requests per second (0: no limit)")
	fs.IntVar(&burst, "burst", 0, "token bucket size (default: the rate)")
	fs.BoolVar(&stated, "rate-limit-headers", true, "state the bucket's figures: RateLimit-Limit and RateLimit-Remaining on every answer, the capacity and refill rate in a 429's detail (false: a server that states none)")
	fs.DurationVar(&c.opts.TokenTTL, "token-ttl", time.Hour, "lifetime of service-account access tokens")
	fs.DurationVar(&c.opts.NonceTTL, "nonce-ttl", simulator.DefaultNonceTTL, "lifetime of a digest nonce (wall clock); an expired one is answered 401 with stale=true")
	fs.IntVar(&c.opts.NonceCountWindow, "nonce-count-window", simulator.DefaultNonceCountWindow, "how far below the highest nonce count seen a count may arrive; a count seen before is refused (1: counts must grow)")
	fs.BoolVar(&c.opts.RefuseNonceReuse, "refuse-nonce-reuse", false, "make every digest nonce single use, as a server without nonce counts")
	fs.StringVar(&statusWithoutLink, "status-without-link", "404", "status endpoint answer without a link: 404 or NOT_SYNCED")
	fs.Var(&faults, "fault", "inject a fault, `ROUTE:KIND[xN][,retry-after=S][,code=CODE][,latency=D]` (repeatable), e.g. link:429x2,retry-after=1")
	fs.DurationVar(&c.opts.Migrations.ValidationTime, "validation-time", 2*time.Second, "how long a migration validation stays PENDING (simulated time)")
	fs.DurationVar(&c.opts.Migrations.StartAfter, "migration-start-after", 0, "how long a new migration stays NEW (default: a quarter of -migration-ready-after)")
	fs.DurationVar(&c.opts.Migrations.ReadyAfter, "migration-ready-after", 20*time.Second, "how long after its creation a migration becomes ready for cutover")
	fs.DurationVar(&c.opts.Migrations.CutoverTime, "cutover-time", 5*time.Second, "how long a migration stays WORKING after its cutover before it is COMPLETE")
	fs.DurationVar(&c.opts.Migrations.CutoverWindow, "cutover-window", 120*time.Hour, "how long a ready migration waits for its cutover before it is EXPIRED")
	fs.Float64Var(&c.opts.Migrations.ClockSpeed, "clock-speed", 1, "simulated seconds per real second for migrations (0 freezes the clock; POST /_sim/clock advances it)")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the base URL to this `file` once listening")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	or := func(v, prefix string, n int) string {
		if v != "" {
			return v
		}
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	c.opts.AtlasKeys = []simulator.APIKey{{PublicKey: or(atlasPub, "atlaspub", 4), PrivateKey: or(atlasPriv, "", 18)}}
	c.opts.OpsManagerKeys = []simulator.APIKey{{PublicKey: or(omPub, "ompub", 4), PrivateKey: or(omPriv, "", 18)}}
	if (atlasID == "") != (atlasSecret == "") || (omID == "") != (omSec == "") {
		return c, errors.New("a service account needs both its client id and its client secret")
	}
	if atlasID != "" {
		c.opts.AtlasServiceAccounts = []simulator.ServiceAccount{{ClientID: atlasID, ClientSecret: atlasSecret}}
	}
	if omID != "" {
		c.opts.OpsManagerServiceAccounts = []simulator.ServiceAccount{{ClientID: omID, ClientSecret: omSec}}
	}
	switch statusWithoutLink {
	case "404":
	case "NOT_SYNCED":
		c.opts.StatusWithoutLink = "NOT_SYNCED"
	default:
		return c, fmt.Errorf("-status-without-link must be 404 or NOT_SYNCED, got %q", statusWithoutLink)
	}
	if c.opts.Migrations.ClockSpeed == 0 {
		c.opts.Migrations.FrozenClock = true
	}
	if c.opts.Migrations.ClockSpeed < 0 {
		return c, errors.New("-clock-speed must not be negative")
	}
	if c.opts.NonceTTL <= 0 || c.opts.NonceCountWindow <= 0 {
		return c, errors.New("-nonce-ttl and -nonce-count-window must be positive")
	}
	if rate < 0 || burst < 0 {
		return c, errors.New("-rate-limit and -burst must not be negative")
	}
	if rate > 0 {
		if burst == 0 {
			burst = max(int(rate), 1)
		}
		c.opts.RateLimit = &simulator.RateLimit{PerSecond: rate, Burst: burst, Unstated: !stated}
	}
	if c.caOut != "" && !c.server.TLS {
		return c, errors.New("-ca-cert-out needs -tls")
	}
	if stateFile != "" {
		seed, err := simulator.LoadSeed(stateFile)
		if err != nil {
			return c, err
		}
		c.opts.Seed = seed
	}
	c.faults = map[simulator.Route]simulator.Fault{}
	for _, spec := range faults {
		route, fault, err := simulator.ParseFault(spec)
		if err != nil {
			return c, err
		}
		c.faults[route] = fault
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	srv, err := simulator.Start(c.opts, c.server)
	if err != nil {
		return err
	}
	defer srv.Close()
	for route, fault := range c.faults {
		srv.SetFault(route, fault)
	}
	if c.caOut != "" {
		if err := srv.WriteCACert(c.caOut); err != nil {
			return err
		}
	}
	printEnv(stdout, srv, c)
	if c.readyFile != "" {
		if err := os.WriteFile(c.readyFile, []byte(srv.URL), 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "atlasmig-sim: serving the Atlas and Cloud/Ops Manager APIs at %s (Ctrl-C to stop)\n", srv.URL)
	<-ctx.Done()
	fmt.Fprintln(stderr, "atlasmig-sim: stopping")
	return nil
}

// printEnv prints the variables the provider (and MongoDB's own tools) read.
func printEnv(w io.Writer, srv *simulator.Server, c config) {
	line := func(k, v string) { fmt.Fprintf(w, "export %s=%s\n", k, shellQuote(v)) }
	line("MONGODB_ATLAS_BASE_URL", srv.URL)
	if sa := c.opts.AtlasServiceAccounts; len(sa) > 0 {
		line("MONGODB_ATLAS_CLIENT_ID", sa[0].ClientID)
		line("MONGODB_ATLAS_CLIENT_SECRET", sa[0].ClientSecret)
	} else {
		line("MONGODB_ATLAS_PUBLIC_KEY", c.opts.AtlasKeys[0].PublicKey)
		line("MONGODB_ATLAS_PRIVATE_KEY", c.opts.AtlasKeys[0].PrivateKey)
	}
	line("MCLI_OPS_MANAGER_URL", srv.URL)
	line("MCLI_PUBLIC_API_KEY", c.opts.OpsManagerKeys[0].PublicKey)
	line("MCLI_PRIVATE_API_KEY", c.opts.OpsManagerKeys[0].PrivateKey)
	// The simulator plays Cloud Manager, which its loopback URL does not
	// tell the provider; and a clock faster than real time is one the
	// provider's waits must follow (a slower or frozen clock is not: the
	// provider's waits never run slower than real time).
	line("ATLASMIG_OPS_MANAGER_KIND", "cloud_manager")
	if speed := c.opts.Migrations.ClockSpeed; speed > 1 {
		line("ATLASMIG_SIMULATOR_CLOCK_SPEED", strconv.FormatFloat(speed, 'g', -1, 64))
	}
	if c.caOut != "" {
		line("MCLI_OPS_MANAGER_CA_CERTIFICATE", c.caOut)
		line("ATLASMIG_ATLAS_CA_CERT_FILE", c.caOut)
	}
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
