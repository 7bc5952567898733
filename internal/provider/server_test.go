package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// invokingServer is a downstream server with one action whose invocation
// waits until the provider is stopped, then ends with an error.
type invokingServer struct {
	tfprotov6.ProviderServer
	stop    chan struct{}
	started chan struct{}
}

func (s *invokingServer) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	close(s.stop)
	return &tfprotov6.StopProviderResponse{}, nil
}

func (s *invokingServer) ValidateActionConfig(context.Context, *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return &tfprotov6.ValidateActionConfigResponse{}, nil
}

func (s *invokingServer) PlanAction(context.Context, *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return &tfprotov6.PlanActionResponse{}, nil
}

func (s *invokingServer) InvokeAction(context.Context, *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		close(s.started)
		<-s.stop
		yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{
			Diagnostics: []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: "Operation Interrupted"}},
		}})
	}}, nil
}

// TestStopWaitsForTheInterruptedActionsLastEvent plays the protocol server:
// it drops every event once the stop it forwarded has returned. The
// interrupted invocation's error event is sent before that.
func TestStopWaitsForTheInterruptedActionsLastEvent(t *testing.T) {
	down := &invokingServer{stop: make(chan struct{}), started: make(chan struct{})}
	srv := newStoppingServer(down)
	stream, err := srv.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	sent := make(chan []tfprotov6.InvokeActionEvent)
	go func() {
		var out []tfprotov6.InvokeActionEvent
		for ev := range stream.Events {
			select {
			case <-stopped:
			default:
				out = append(out, ev)
			}
		}
		sent <- out
	}()
	<-down.started
	if _, err := srv.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	close(stopped)
	got := <-sent
	if len(got) != 1 {
		t.Fatalf("%d events sent, want the completed one", len(got))
	}
	done, ok := got[0].Type.(tfprotov6.CompletedInvokeActionEventType)
	if !ok || len(done.Diagnostics) != 1 || done.Diagnostics[0].Summary != "Operation Interrupted" {
		t.Fatalf("sent %+v", got[0].Type)
	}
}
