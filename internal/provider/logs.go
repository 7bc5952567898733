package provider

import (
	"strings"
)

// Terraform and OpenTofu keep a provider's log lines only at the level
// TF_LOG_PROVIDER asks for, or TF_LOG when that is unset; when neither is set
// they read every line the provider writes and drop it. The plugin libraries,
// left alone, log every RPC at TRACE: the protocol layer and the framework
// write several JSON lines per request, per attribute validator and per plan
// modifier. In an apply of 50 resources that is most of the provider's CPU,
// spent formatting lines that Terraform then parses and throws away.
//
// So the provider starts each library's logger at the level Terraform keeps.
// Each library reads its level from an environment variable of its own, once
// per RPC; a variable the user set is never changed, and when Terraform keeps
// TRACE nothing is changed at all.

// pluginLogLevelVariables name the loggers of a provider process: the
// protocol layer's root and its proto subsystem (terraform-plugin-go), the
// framework's subsystem (terraform-plugin-framework), and this provider's own
// tflog logger, named after its type name.
var pluginLogLevelVariables = []string{
	"TF_LOG_SDK",
	"TF_LOG_SDK_PROTO",
	"TF_LOG_SDK_FRAMEWORK",
	"TF_LOG_PROVIDER_ATLASMIG",
}

// knownLogLevels are the values Terraform and OpenTofu accept for TF_LOG and
// TF_LOG_PROVIDER besides JSON (TRACE in JSON); any other non-empty value
// makes them log at TRACE.
var knownLogLevels = map[string]bool{"TRACE": true, "DEBUG": true, "INFO": true, "WARN": true, "ERROR": true, "OFF": true}

// keptLogLevel returns the level at which the Terraform that started this
// process keeps provider logs, read as Terraform reads it.
func keptLogLevel(getenv func(string) string) string {
	level := strings.ToUpper(getenv("TF_LOG_PROVIDER"))
	if level == "" {
		level = strings.ToUpper(getenv("TF_LOG"))
	}
	switch {
	case level == "":
		return "OFF"
	case knownLogLevels[level]:
		return level
	default: // JSON, or a value Terraform does not know: both mean TRACE.
		return "TRACE"
	}
}

// LogLevelDefaults returns the logger variables to set before serving, with
// their values: the level Terraform keeps, for each variable the environment
// leaves unset. It is empty when Terraform keeps TRACE, the libraries' own
// default.
func LogLevelDefaults(getenv func(string) string) map[string]string {
	level := keptLogLevel(getenv)
	if level == "TRACE" {
		return nil
	}
	out := map[string]string{}
	for _, name := range pluginLogLevelVariables {
		if getenv(name) == "" {
			out[name] = level
		}
	}
	return out
}
