package provider

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

var (
	_ tfprotov6.ProviderServer     = (*stoppingServer)(nil)
	_ tfprotov6.ActionServer       = (*stoppingServer)(nil)
	_ tfprotov6.ListResourceServer = (*stoppingServer)(nil)
)

// stopGrace bounds how long a stop waits for the action invocations it
// cancelled to report how they ended.
const stopGrace = 10 * time.Second

// NewServer returns the provider's protocol 6 server as Terraform runs it.
//
// When Terraform is interrupted (Ctrl-C) it asks the provider to stop, and
// the provider's operations end with an error that says what was done. An
// action's error comes back as the last event of its stream, and the
// protocol server drops every event once it has processed the stop: the
// interrupted invocation would end with no event at all, which Terraform
// counts as a success. So the stop waits, at most stopGrace, until each
// invocation it cancelled has sent its last event.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return newStoppingServer(providerserver.NewProtocol6(New(version)())())
	}
}

// stoppingServer wraps the framework's server (see NewServer).
type stoppingServer struct {
	tfprotov6.ProviderServer
	actions       tfprotov6.ActionServer
	listResources tfprotov6.ListResourceServer
	grace         time.Duration
	// invocations counts the action invocations whose stream has not ended.
	invocations sync.WaitGroup
}

// newStoppingServer wraps downstream, which serves actions and list
// resources as the framework's server does.
func newStoppingServer(downstream tfprotov6.ProviderServer) *stoppingServer {
	s := &stoppingServer{ProviderServer: downstream, grace: stopGrace}
	s.actions, _ = downstream.(tfprotov6.ActionServer)
	s.listResources, _ = downstream.(tfprotov6.ListResourceServer)
	return s
}

// errNotServed answers an RPC that the wrapped server does not serve.
var errNotServed = errors.New("the provider's server does not serve this call")

func (s *stoppingServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	resp, err := s.ProviderServer.StopProvider(ctx, req)
	ended := make(chan struct{})
	go func() {
		s.invocations.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(s.grace):
	}
	return resp, err
}

func (s *stoppingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	if s.actions == nil {
		return nil, errNotServed
	}
	return s.actions.ValidateActionConfig(ctx, req)
}

func (s *stoppingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	if s.actions == nil {
		return nil, errNotServed
	}
	return s.actions.PlanAction(ctx, req)
}

// InvokeAction counts the invocation until its stream has ended, that is
// until the protocol server has sent (or dropped) its last event.
func (s *stoppingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	if s.actions == nil {
		return nil, errNotServed
	}
	resp, err := s.actions.InvokeAction(ctx, req)
	if err != nil || resp == nil || resp.Events == nil {
		return resp, err
	}
	s.invocations.Add(1)
	events := resp.Events
	var once sync.Once
	resp.Events = func(yield func(tfprotov6.InvokeActionEvent) bool) {
		defer once.Do(s.invocations.Done)
		events(yield)
	}
	return resp, nil
}

func (s *stoppingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	if s.listResources == nil {
		return nil, errNotServed
	}
	return s.listResources.ValidateListResourceConfig(ctx, req)
}

func (s *stoppingServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	if s.listResources == nil {
		return nil, errNotServed
	}
	return s.listResources.ListResource(ctx, req)
}
