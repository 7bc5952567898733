// Command terraform-provider-atlasmig serves the atlasmig Terraform provider,
// which links Cloud Manager and Ops Manager organizations to MongoDB Atlas for
// push live migrations.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
)

// version is set at build time by the release tooling through
// -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	opts := providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	}
	if err := providerserver.Serve(context.Background(), provider.New(version), opts); err != nil {
		log.Fatal(err.Error())
	}
}
