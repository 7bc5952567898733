package acctest

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/client"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
	"github.com/atlasmig/terraform-provider-atlasmig/internal/simulator"
)

// eitherWay checks through the simulator when there is one, and through the
// real APIs otherwise, so that `make testacc` proves as much as `make test`
// wherever the APIs can tell.
func (e *Env) eitherWay(viaAPI func() error, sim func(*simulator.Server) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if e.Sim == nil {
			return viaAPI()
		}
		return sim(e.Sim)
	}
}

// realClients builds clients for the real services from the environment, as
// the provider does when its blocks are empty.
func (e *Env) realClients() (*client.Atlas, *client.OpsManager, error) {
	cfg, errs := provider.Resolve(provider.Attributes{}, os.Getenv)
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("resolving the provider configuration from the environment: %s: %s", errs[0].Summary, errs[0].Detail)
	}
	ua := "terraform-provider-atlasmig/" + ProviderVersion + " acceptance-check"
	atlas, err := client.NewAtlas(provider.ClientConfig(cfg.Atlas, cfg, ua))
	if err != nil {
		return nil, nil, err
	}
	om, err := client.NewOpsManager(provider.ClientConfig(cfg.OpsManager, cfg, ua))
	return atlas, om, err
}

func realContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// realLinked checks that the source organization reports SYNCED.
func (e *Env) realLinked(sourceOrgID string) error {
	_, om, err := e.realClients()
	if err != nil {
		return err
	}
	ctx, cancel := realContext()
	defer cancel()
	status, err := om.LinkStatus(ctx, sourceOrgID)
	if err != nil {
		return fmt.Errorf("reading the link status of %s: %w", sourceOrgID, err)
	}
	if status != client.StatusSynced {
		return fmt.Errorf("organization %s reports status %q, want SYNCED", sourceOrgID, status)
	}
	return nil
}

// realNotLinked checks that the source organization has no link: the status
// endpoint answers 404 (or, where a service answers so, NOT_SYNCED).
func (e *Env) realNotLinked(sourceOrgID string) error {
	_, om, err := e.realClients()
	if err != nil {
		return err
	}
	ctx, cancel := realContext()
	defer cancel()
	status, err := om.LinkStatus(ctx, sourceOrgID)
	switch {
	case client.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("reading the link status of %s: %w", sourceOrgID, err)
	case status == client.StatusSynced:
		return fmt.Errorf("organization %s is still linked (status %s)", sourceOrgID, status)
	}
	return nil
}

// realNoLinkTokens checks that the Atlas organization has no link token
// left. There is no way to list tokens: removing them answers 404 when
// there is none. When one was left, it is removed here and reported.
func (e *Env) realNoLinkTokens(atlasOrgID string) error {
	atlas, _, err := e.realClients()
	if err != nil {
		return err
	}
	ctx, cancel := realContext()
	defer cancel()
	err = atlas.DeleteLinkTokens(ctx, atlasOrgID)
	switch {
	case client.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("checking for link tokens left in %s: %w", atlasOrgID, err)
	}
	return fmt.Errorf("a link token was left in Atlas organization %s after destroy (it has now been removed)", atlasOrgID)
}
