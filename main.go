// Command terraform-provider-atlasmig serves the atlasmig Terraform provider,
// which links Cloud Manager and Ops Manager organizations to MongoDB Atlas for
// push live migrations.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/atlasmig/terraform-provider-atlasmig/internal/provider"
)

// version is set at build time by the release tooling through
// -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	if !debug {
		// Started by Terraform, which keeps provider logs only at the level
		// TF_LOG_PROVIDER or TF_LOG names: write nothing it would drop. A
		// debug session prints its logs here, so it keeps them all.
		for name, level := range provider.LogLevelDefaults(os.Getenv) {
			if err := os.Setenv(name, level); err != nil {
				log.Fatal(err.Error())
			}
		}
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(provider.Address, provider.NewServer(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}
