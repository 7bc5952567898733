// Command bench measures what the provider adds to Terraform and to the API,
// always as ratios against floors measured side by side in the same run:
// Terraform's own floor (terraform_data), the provider floor (bench/noop, a
// provider that makes no API calls) and the API floor (the requests the rules
// require times the simulator's latency, divided by -parallelism). HTTP
// requests are counted by the simulator, never from the provider's logs.
// It prints a markdown table and writes it, with the machine, Go and
// Terraform versions, to BENCHMARKS.md.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/tfcli"
)

const (
	atlasPub, atlasPriv = "bench-atlas-pub", "bench-atlas-private"
	omPub, omPriv       = "bench-om-pub", "bench-om-private"
	atlasSA, atlasSASec = "bench-atlas-sa", "bench-atlas-sa-secret"
	omSA, omSASec       = "bench-om-sa", "bench-om-sa-secret"
)

func main() {
	runs := flag.Int("runs", 3, "repetitions of each scenario")
	out := flag.String("out", "BENCHMARKS.md", "where to write the report")
	only := flag.String("scenarios", "1,2,3,4,5,6,7,8,9,10,11", "scenarios to run, comma-separated (2 and 3 run together); rows of the others are kept from -out")
	journal := flag.String("journal", "", "a directory to write the request journal of every run of scenarios 7, 10 and 11 into, as JSON (times, routes, statuses, client addresses, digest nonces and counts; no credentials or bodies)")
	flag.Parse()
	if err := run(*runs, *out, *only, *journal); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	work, tfPath     string
	oursRC, noopRC   string
	oursBin, noopBin string
	runs             int
	// journalDir, when set, receives the request journal of each
	// workspaces run: where its 429s fall, and in which process (a
	// process's requests share a digest nonce and its connections'
	// client addresses).
	journalDir string
}

func run(runs int, out, only, journalDir string) error {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("terraform not found on PATH: the benchmark drives the real binary")
	}
	work, err := os.MkdirTemp("", "atlasmig-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	b := &bench{work: work, tfPath: tf, runs: runs, journalDir: journalDir}
	fmt.Fprintln(os.Stderr, "building the provider and the no-op provider...")
	if b.oursBin, b.oursRC, err = b.build("ours", "."); err != nil {
		return err
	}
	if b.noopBin, b.noopRC, err = b.build("noop", "./bench/noop"); err != nil {
		return err
	}

	var rows []row
	var ran []string
	want := map[string]bool{}
	for _, id := range strings.Split(only, ",") {
		want[strings.TrimSpace(id)] = true
	}
	scenarios := []struct {
		ids []string
		run func() ([]row, error)
	}{{[]string{"1"}, b.scenario1}, {[]string{"2", "3"}, b.scenario2and3}, {[]string{"4"}, b.scenario4}, {[]string{"5"}, b.scenario5}, {[]string{"6"}, b.scenario6},
		{[]string{"7"}, b.scenario7}, {[]string{"8"}, b.scenario8}, {[]string{"9"}, b.scenario9}, {[]string{"10"}, b.scenario10}, {[]string{"11"}, b.scenario11}}
	for _, s := range scenarios {
		if !slices.ContainsFunc(s.ids, func(id string) bool { return want[id] }) {
			continue
		}
		ran = append(ran, s.ids...)
		r, err := s.run()
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	report := b.report(rows, keptRows(out, strings.Join(ran, ",")))
	fmt.Println(report)
	return os.WriteFile(out, []byte(report+suiteSection(out)), 0o644)
}

// build compiles a provider into its own directory and writes a CLI
// configuration whose dev_overrides point terraform at it.
func (b *bench) build(name, pkg string) (string, string, error) {
	dir := filepath.Join(b.work, name)
	bin := filepath.Join(dir, "terraform-provider-atlasmig")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, pkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("building %s: %w", pkg, err)
	}
	rc := filepath.Join(b.work, name+".tfrc")
	return bin, rc, os.WriteFile(rc, []byte(tfcli.DevOverrides(dir)), 0o600)
}

// graph is a configuration of n token + link pairs.
func pairsHCL(n int, provider string) string {
	var s strings.Builder
	s.WriteString("terraform {\n  required_providers {\n    atlasmig = {\n      source = \"atlasmig/atlasmig\"\n    }\n  }\n}\n\n")
	s.WriteString(provider)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, `
resource "atlasmig_link_token" "t%[1]d" {
  org_id          = "5f1b2c3d4e5f6a7b8c9d%04[1]x"
  access_list_ips = ["203.0.113.7"]
}

resource "atlasmig_migration_link" "l%[1]d" {
  org_id     = "60a1b2c3d4e5f6a7b8c9%04[1]x"
  link_token = atlasmig_link_token.t%[1]d.link_token
}
`, i)
	}
	return s.String()
}

// terraformDataHCL is the same graph made of terraform_data, Terraform's
// built-in resource: no plugin at all.
func terraformDataHCL(n int) string {
	var s strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, `
resource "terraform_data" "t%[1]d" {
  input = "5f1b2c3d4e5f6a7b8c9d%04[1]x"
}

resource "terraform_data" "l%[1]d" {
  input = { org_id = "60a1b2c3d4e5f6a7b8c9%04[1]x", token = terraform_data.t%[1]d.output }
}
`, i)
	}
	return s.String()
}

const keysProvider = "provider \"atlasmig\" {\n  max_retries = %d\n}\n"

const serviceAccountProvider = `
provider "atlasmig" {
  ops_manager {
    client_id     = "` + omSA + `"
    client_secret = "` + omSASec + `"
  }
}
`

// workspace is a fresh terraform directory.
type workspace struct {
	dir, rc string
	env     []string
	err     error // set when the workspace could not be prepared
}

// workspace prepares a working directory. An error preparing it is kept in
// the workspace and returned by its first terraform run, so no caller can
// drop it.
func (b *bench) workspace(name, hcl, rc string, env map[string]string) *workspace {
	dir, err := os.MkdirTemp(b.work, name+"-")
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600)
	}
	if err != nil {
		return &workspace{err: fmt.Errorf("preparing workspace %s: %w", name, err)}
	}
	w := &workspace{dir: dir, rc: rc}
	w.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=")
	for k, v := range env {
		w.env = append(w.env, k+"="+v)
	}
	return w
}

// tf runs terraform and returns its wall time.
func (b *bench) tf(w *workspace, args ...string) (time.Duration, error) {
	if w.err != nil {
		return 0, w.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.tfPath, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), filepath.Base(w.dir), err, tail(out))
	}
	return elapsed, nil
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-25):], "\n")
}

func startSim(opts simulator.Options) (*simulator.Server, map[string]string, error) {
	opts.AtlasKeys = []simulator.APIKey{{PublicKey: atlasPub, PrivateKey: atlasPriv}}
	opts.OpsManagerKeys = []simulator.APIKey{{PublicKey: omPub, PrivateKey: omPriv}}
	opts.AtlasServiceAccounts = []simulator.ServiceAccount{{ClientID: atlasSA, ClientSecret: atlasSASec}}
	opts.OpsManagerServiceAccounts = []simulator.ServiceAccount{{ClientID: omSA, ClientSecret: omSASec}}
	sim, err := simulator.Start(opts, simulator.ServerOptions{})
	if err != nil {
		return nil, nil, err
	}
	// The simulator plays Cloud Manager, which its loopback URL does not say.
	return sim, map[string]string{"MONGODB_ATLAS_BASE_URL": sim.URL, "MCLI_OPS_MANAGER_URL": sim.URL, "ATLASMIG_OPS_MANAGER_KIND": "cloud_manager"}, nil
}

func keyEnv(env map[string]string) map[string]string {
	env["MONGODB_ATLAS_PUBLIC_KEY"], env["MONGODB_ATLAS_PRIVATE_KEY"] = atlasPub, atlasPriv
	env["MCLI_PUBLIC_API_KEY"], env["MCLI_PRIVATE_API_KEY"] = omPub, omPriv
	return env
}

func saEnv(env map[string]string) map[string]string {
	env["MONGODB_ATLAS_CLIENT_ID"], env["MONGODB_ATLAS_CLIENT_SECRET"] = atlasSA, atlasSASec
	return env
}

// row is one line of the report.
type row struct {
	scenario, measure string
	ratio             stats // ratio, or a plain value when unit is set
	unit              string
	target            string
	note              string
}

type stats struct{ median, min, max float64 }

func summarize(xs []float64) stats {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return stats{median: s[len(s)/2], min: s[0], max: s[len(s)-1]}
}

func secs(d time.Duration) float64 { return d.Seconds() }

// scenario1: apply then destroy of 25 pairs, simulator without latency.
func (b *bench) scenario1() ([]row, error) {
	const n = 25
	fmt.Fprintf(os.Stderr, "scenario 1: apply+destroy of %d pairs, %d runs\n", n, b.runs)
	var vsNoop, vsQuiet, vsData, ours, perCall []float64
	var calls, reads, total int
	var legs digestLegs
	for i := 0; i < b.runs; i++ {
		sim, env, err := startSim(simulator.Options{})
		if err != nil {
			return nil, err
		}
		w := b.workspace("s1-ours", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.oursRC, keyEnv(env))
		o, err := b.applyDestroy(w)
		// Requests do not depend on the machine's load: report them.
		calls, reads, total = sim.JournalSummary().Authenticated, sim.Calls(simulator.RouteLinkStatus)+sim.Calls(simulator.RouteAvailableProjects), sim.Total()
		legs = countDigestLegs(sim)
		perCall = append(perCall, legs.perCall())
		sim.Close()
		if err != nil {
			return nil, err
		}
		w = b.workspace("s1-noop", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.noopRC, nil)
		nd, err := b.applyDestroy(w)
		if err != nil {
			return nil, err
		}
		w = b.workspace("s1-noop-quiet", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.noopRC, quietLogs())
		nq, err := b.applyDestroy(w)
		if err != nil {
			return nil, err
		}
		w = b.workspace("s1-data", terraformDataHCL(n), b.noopRC, nil)
		td, err := b.applyDestroy(w)
		if err != nil {
			return nil, err
		}
		ours = append(ours, secs(o))
		vsNoop = append(vsNoop, secs(o)/secs(nd))
		vsQuiet = append(vsQuiet, secs(o)/secs(nq))
		vsData = append(vsData, secs(o)/secs(td))
	}
	refused, err := b.scenario1RefusedReuse()
	if err != nil {
		return nil, err
	}
	return append([]row{
		perCallRow("1", "apply+destroy 25 pairs", perCall, legs),
		{scenario: "1", measure: "apply+destroy 25 pairs: wall ÷ no-op provider", ratio: summarize(vsNoop), target: "≤ 1.02",
			note: fmt.Sprintf("%d authenticated calls, %d of them reads; %d HTTP requests", calls, reads, total)},
		{scenario: "1", measure: "apply+destroy 25 pairs: wall ÷ no-op provider writing no logs (context)", ratio: summarize(vsQuiet), target: "report",
			note: "the no-op provider with the log levels ours sets when Terraform keeps no provider log: what our API work costs"},
		{scenario: "1", measure: "apply+destroy 25 pairs: wall ÷ terraform_data (context)", ratio: summarize(vsData), target: "report"},
		{scenario: "1", measure: "apply+destroy 25 pairs: wall", ratio: summarize(ours), unit: "s", target: "report"},
	}, refused...), nil
}

// quietLogs is the environment under which a plugin provider writes no log
// line: what ours sets for itself when Terraform keeps no provider log.
func quietLogs() map[string]string {
	return map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_ATLASMIG": "OFF"}
}

func (b *bench) applyDestroy(w *workspace) (time.Duration, error) {
	a, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return 0, err
	}
	d, err := b.tf(w, "destroy", "-auto-approve", "-input=false", "-no-color")
	return a + d, err
}

// scenario2and3: apply of 100 pairs at 100 ms per request, -parallelism=10,
// with keys and with service accounts; then a refresh plan of the applied
// pairs, counting calls.
func (b *bench) scenario2and3() ([]row, error) {
	const (
		n           = 100
		parallelism = 10
		latency     = 100 * time.Millisecond
	)
	fmt.Fprintf(os.Stderr, "scenarios 2 and 3: apply of %d pairs at %s latency, -parallelism=%d, %d runs\n", n, latency, parallelism, b.runs)
	par := fmt.Sprintf("-parallelism=%d", parallelism)
	var digestRatio, saRatio, digestVsSA, planCalls, planRatio, perCall []float64
	var requestsDigest, requestsSA int
	var legs digestLegs
	for i := 0; i < b.runs; i++ {
		w := b.workspace("s2-noop", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.noopRC, nil)
		noop, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color", par)
		if err != nil {
			return nil, err
		}

		sim, env, err := startSim(simulator.Options{Latency: latency})
		if err != nil {
			return nil, err
		}
		w = b.workspace("s2-digest", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.oursRC, keyEnv(env))
		digest, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color", par)
		if err != nil {
			sim.Close()
			return nil, err
		}
		requestsDigest = sim.Total()
		legs = countDigestLegs(sim)
		perCall = append(perCall, legs.perCall())
		// The floor is one round trip per authenticated call the apply
		// made (the token, the checks of the source organization and of
		// the available projects, the link).
		digestFloor := float64(legs.calls) * latency.Seconds() / parallelism
		digestRatio = append(digestRatio, secs(digest)/(secs(noop)+digestFloor))

		// Scenario 3: refresh the applied pairs.
		sim.ResetJournal()
		plan, err := b.tf(w, "plan", "-input=false", "-no-color", par)
		if err != nil {
			sim.Close()
			return nil, err
		}
		calls := sim.JournalSummary().Authenticated
		planCalls = append(planCalls, float64(calls)/float64(n))
		planRatio = append(planRatio, secs(plan))
		sim.Close()

		sim, env, err = startSim(simulator.Options{Latency: latency})
		if err != nil {
			return nil, err
		}
		w = b.workspace("s2-sa", pairsHCL(n, serviceAccountProvider), b.oursRC, saEnv(env))
		sa, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color", par)
		tokenRequests := sim.TokenRequests()
		requestsSA = sim.Total()
		callsSA := sim.JournalSummary().Authenticated
		sim.Close()
		if err != nil {
			return nil, err
		}
		// Service accounts: one request per call, plus the token requests
		// (one per side and provider process).
		saFloor := float64(callsSA+tokenRequests) * latency.Seconds() / parallelism
		saRatio = append(saRatio, secs(sa)/(secs(noop)+saFloor))
		digestVsSA = append(digestVsSA, secs(digest)/secs(sa))
	}
	return []row{
		{scenario: "2", measure: "apply 100 pairs, keys (digest): wall ÷ (no-op + one round trip per call)", ratio: summarize(digestRatio), target: "≤ 1.2",
			note: fmt.Sprintf("last run: %d HTTP requests for %d calls", requestsDigest, legs.calls)},
		perCallRow("2", "apply 100 pairs at 100 ms", perCall, legs),
		{scenario: "2", measure: "apply 100 pairs, service accounts: wall ÷ (no-op + API floor)", ratio: summarize(saRatio), target: "≤ 1.1",
			note: fmt.Sprintf("last run: %d HTTP requests (the calls + token requests)", requestsSA)},
		{scenario: "2", measure: "apply 100 pairs: digest wall ÷ service-account wall", ratio: summarize(digestVsSA), target: "report"},
		{scenario: "3", measure: "plan (refresh) of 100 pairs: API calls ÷ minimum (100 status reads)", ratio: summarize(planCalls), target: "1.0"},
		{scenario: "3", measure: "plan (refresh) of 100 pairs: wall", ratio: summarize(planRatio), unit: "s", target: "report"},
	}, nil
}

// scenario4: apply of 100 pairs against a token bucket of 20 requests/s.
func (b *bench) scenario4() ([]row, error) {
	const (
		n     = 100
		rate  = 20.0
		burst = 20
	)
	fmt.Fprintf(os.Stderr, "scenario 4: apply of %d pairs against %.0f requests/s (burst %d), %d runs\n", n, rate, burst, b.runs)
	var ratios, failures []float64
	var limited int
	for i := 0; i < b.runs; i++ {
		w := b.workspace("s4-noop", pairsHCL(n, fmt.Sprintf(keysProvider, 5)), b.noopRC, nil)
		noop, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			return nil, err
		}
		sim, env, err := startSim(simulator.Options{RateLimit: &simulator.RateLimit{PerSecond: rate, Burst: burst}})
		if err != nil {
			return nil, err
		}
		w = b.workspace("s4-ours", pairsHCL(n, fmt.Sprintf(keysProvider, 10)), b.oursRC, keyEnv(env))
		wall, err := b.tf(w, "apply", "-auto-approve", "-input=false", "-no-color")
		failed := 0.0
		if err != nil {
			failed = 1
			fmt.Fprintln(os.Stderr, err)
		}
		summary := sim.JournalSummary()
		limited = summary.ByStatus[429]
		sim.Close()
		// Required: a challenge and an authenticated request per call:
		// the token, the check that the organization is not linked yet,
		// and the link.
		needed := float64(n * 3 * 2)
		failures = append(failures, failed)
		ratios = append(ratios, secs(wall)/(secs(noop)+needed/rate))
	}
	return []row{
		{scenario: "4", measure: "apply 100 pairs at 20 req/s: failed applies", ratio: summarize(failures), unit: "count", target: "0"},
		{scenario: "4", measure: "apply 100 pairs at 20 req/s: wall ÷ (no-op + requests needed ÷ 20/s)", ratio: summarize(ratios), target: "≤ 1.2",
			note: fmt.Sprintf("%d answers were 429 in the last run", limited)},
	}, nil
}

// scenario5: the provider process itself, beside the no-op provider.
func (b *bench) scenario5() ([]row, error) {
	fmt.Fprintln(os.Stderr, "scenario 5: provider process start, memory and size")
	var rows []row
	measure := func(bin string) (stats, stats, error) {
		var starts, rss []float64
		for i := 0; i < 5; i++ {
			d, kb, err := handshake(bin)
			if err != nil {
				return stats{}, stats{}, err
			}
			starts = append(starts, float64(d.Microseconds())/1000)
			rss = append(rss, float64(kb)/1024)
		}
		return summarize(starts), summarize(rss), nil
	}
	oursStart, oursRSS, err := measure(b.oursBin)
	if err != nil {
		return nil, err
	}
	noopStart, noopRSS, err := measure(b.noopBin)
	if err != nil {
		return nil, err
	}
	schema := func(rc string) (stats, error) {
		var xs []float64
		for i := 0; i < 3; i++ {
			w := b.workspace("s5", pairsHCL(1, fmt.Sprintf(keysProvider, 5)), rc, nil)
			d, err := b.tf(w, "providers", "schema", "-json")
			if err != nil {
				return stats{}, err
			}
			xs = append(xs, secs(d))
		}
		return summarize(xs), nil
	}
	oursSchema, err := schema(b.oursRC)
	if err != nil {
		return nil, err
	}
	noopSchema, err := schema(b.noopRC)
	if err != nil {
		return nil, err
	}
	size := func(p string) float64 {
		st, _ := os.Stat(p)
		return float64(st.Size()) / (1 << 20)
	}
	rows = append(rows,
		row{scenario: "5", measure: "start to served plugin (handshake), ours | no-op", ratio: oursStart, unit: "ms", target: "report", note: fmt.Sprintf("no-op: %.1f ms", noopStart.median)},
		row{scenario: "5", measure: "terraform providers schema -json, ours | no-op", ratio: oursSchema, unit: "s", target: "report", note: fmt.Sprintf("no-op: %.2f s", noopSchema.median)},
		row{scenario: "5", measure: "peak resident memory at serve, ours | no-op", ratio: oursRSS, unit: "MiB", target: "report", note: fmt.Sprintf("no-op: %.1f MiB", noopRSS.median)},
		row{scenario: "5", measure: "binary size (-s -w), ours | no-op", ratio: stats{size(b.oursBin), size(b.oursBin), size(b.oursBin)}, unit: "MiB", target: "report",
			note: fmt.Sprintf("no-op: %.1f MiB", size(b.noopBin))},
	)
	return rows, nil
}

// handshake starts a provider binary as Terraform would and returns the time
// until it announces its gRPC address, and its peak resident memory.
func handshake(bin string) (time.Duration, int64, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	elapsed := time.Since(start)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	if err != nil || !strings.Contains(line, "|6|") {
		return 0, 0, fmt.Errorf("%s did not complete the plugin handshake: %q %v", bin, line, err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	return elapsed, rss, nil
}

func (b *bench) report(rows []row, kept kept) string {
	var s strings.Builder
	s.WriteString("# Benchmarks\n\n")
	s.WriteString("Produced by `make bench`. Every ratio compares figures measured side by side in the same run; medians, with min and max over the runs.\n\n")
	fmt.Fprintf(&s, "- Machine: %s, %d cores, %s\n", cpuModel(), runtime.NumCPU(), memTotal())
	fmt.Fprintf(&s, "- Go: %s; %s\n", runtime.Version(), terraformVersion(b.tfPath))
	fmt.Fprintf(&s, "- Runs per scenario: %d; date: %s\n", b.runs, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	for _, note := range kept.notes {
		s.WriteString(note + "\n")
	}
	s.WriteString("\n")
	s.WriteString("| # | measure | median | min | max | target | note |\n|---|---|---|---|---|---|---|\n")
	lines := kept.rows
	for _, r := range rows {
		unit := r.unit
		if unit == "" {
			unit = "×"
		}
		lines = append(lines, fmt.Sprintf("| %s | %s | %.2f %s | %.2f | %.2f | %s | %s |", r.scenario, r.measure, r.ratio.median, unit, r.ratio.min, r.ratio.max, r.target, r.note))
	}
	for _, line := range byScenario(lines) {
		s.WriteString(line + "\n")
	}
	s.WriteString(explanation + fleetExplanation + digestExplanation + workspacesExplanation)
	return s.String()
}

const explanation = `
## What the ratios mean

- **Scenario 1** divides our apply+destroy wall time by the no-op provider's on the same 25-pair graph,
  against a simulator without latency: what remains above 1.0 is our own work (HTTP round trips on
  loopback, digest challenges, JSON). The no-op provider is a plain framework provider: its plugin
  libraries log every request at TRACE for Terraform to drop, which ours does not do when Terraform
  keeps no provider log. The second row runs the no-op provider with the same log levels, so it
  isolates the cost of our API calls. The terraform_data ratio shows what any plugin costs over
  Terraform's built-in resources — process start and gRPC — and is context, not a target. The note
  counts, from the simulator's journal of the last run, the authenticated calls of apply and destroy,
  the reads among them and every HTTP request: these do not depend on the machine's load.
- **Scenario 2** divides the wall time of applying 100 pairs at 100 ms per HTTP request, with
  -parallelism=10, by the no-op provider's wall on the same graph plus the API floor: the requests the
  rules require — one round trip per authenticated call the apply made, as the simulator counts them
  (the token, the checks of the source organization and of the available projects, the link), plus,
  for service accounts, the token requests, one per side and provider process — times the latency,
  divided by the parallelism.
  The floor adds Terraform's own work and the API waits as if they ran one after the other; they
  overlap in reality, so a ratio below 1.0 is expected and the target bounds it from above.
- **Scenario 3** counts, from the simulator's journal, the authenticated API calls a refresh plan of
  the 100 applied pairs makes, divided by the minimum: one status read per link, none per token (the
  token API has no read).
- **Scenario 4** applies 100 pairs against a token bucket of 20 requests/s (burst 20) that answers 429
  with Retry-After. No apply may fail; the wall time is divided by the no-op provider's plus the time
  the bucket needs to admit the required requests (600 at 20/s). The provider's max_retries is 10 here:
  ten workers share twenty requests a second, so a request can meet several 429s in a row.
- **Scenario 5** reports the provider process beside the no-op provider: time from exec to the plugin
  handshake, terraform's whole "providers schema" command, peak resident memory at serve, and size.
- **Scenario 6** applies 20 migrations declared with cutover = true (-parallelism=20) against the
  simulator with its clock running 60 times faster than real time (validation 30 s, NEW for 1 min,
  ready 10 min after creation, COMPLETE 2 min after the cutover, all simulated) and the provider's poll
  schedule following it (ATLASMIG_SIMULATOR_CLOCK_SPEED=60, the provider's simulator_clock_speed), so the
  simulated timings are a real run's.
  It reports authenticated API calls ÷ the 11 per migration the rules need (pre-flight reads at plan and
  create, validate, create, cutover, and one read per wait), and, from the simulator's record, how long
  after readyForCutover each cutover request arrived. The pre-flight reads (the destination project
  and its organization's available projects) are now shared by every migration into the same project,
  so far fewer than 4 per migration are made; the minimum keeps the definition the target was set with.
- **Scenario 7** applies one link token and eight links made with it against a token bucket of 1
  request/s (burst 2) that charges every request, digest challenges included. The quota's floor is the
  44 requests needed at 1/s: 41 calls (the token; per link, its status read at plan and before linking,
  the Atlas organization's available projects read before and after the link, and the link) and one
  digest challenge per API and provider process (the plan reads Ops Manager only, the apply both); the
  wall time is divided by it. One bucket serves both APIs here, so each API's limiter sees the other's
  requests as another process's. The links take turns from the status read before linking to the list
  after the link, so the apply's requests alternate between the two APIs. The provider's rate limiter,
  shared by every request to one API with one set of credentials, reads the bucket's refill rate in the
  first answer 429, paces by it and the level every answer states, and queues the workers.
- **Scenario 9** applies 24 migrations declared with cutover = true in one apply, at Terraform's default
  parallelism, against a token bucket of 20 requests/s (burst 20) that charges every request, challenges
  included, with the clock and poll schedule of scenario 6 (×60). It reports the share of all requests
  answered 429, the authenticated calls per migration, the wall time, and the median cutover lag after
  readyForCutover in simulated seconds (a real second of queueing is a simulated minute here).

Bounds: Terraform's graph walk, process starts and gRPC are in both numerator and floor. Retry-After
is whole seconds, so scenario 4 can wait up to a second longer than the bucket strictly needs each time
a worker is refused.
`

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			return strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	var kb int64
	_, _ = fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
	return fmt.Sprintf("%.0f GiB memory", float64(kb)/(1<<20))
}

func terraformVersion(tf string) string {
	bin, err := tfcli.Identify(tf)
	if err != nil {
		return "unknown"
	}
	return bin.String()
}

// suiteHeading starts the section scripts/time-suite.sh writes: the test
// suite's wall time. The benchmark keeps it when it rewrites the report.
const suiteHeading = "\n## Test suite wall time\n"

// suiteSection returns that section of the existing report, or "".
func suiteSection(path string) string {
	old, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if i := strings.Index(string(old), suiteHeading); i >= 0 {
		return string(old[i:])
	}
	return ""
}
