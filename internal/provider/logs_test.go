package provider

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogLevelDefaults(t *testing.T) {
	all := func(level string) map[string]string {
		return map[string]string{"TF_LOG_SDK": level, "TF_LOG_SDK_PROTO": level, "TF_LOG_SDK_FRAMEWORK": level, "TF_LOG_PROVIDER_ATLASMIG": level}
	}
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: Terraform keeps nothing", nil, all("OFF")},
		{"TF_LOG_PATH alone keeps nothing", map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, all("OFF")},
		{"TF_LOG_CORE is Terraform's own", map[string]string{"TF_LOG_CORE": "TRACE"}, all("OFF")},
		{"TF_LOG=off", map[string]string{"TF_LOG": "off"}, all("OFF")},
		{"TF_LOG=INFO", map[string]string{"TF_LOG": "INFO"}, all("INFO")},
		{"lower case is read as Terraform reads it", map[string]string{"TF_LOG": "debug"}, all("DEBUG")},
		{"TF_LOG=TRACE changes nothing", map[string]string{"TF_LOG": "TRACE"}, nil},
		{"TF_LOG=JSON is TRACE", map[string]string{"TF_LOG": "JSON"}, nil},
		{"an unknown level is TRACE to Terraform", map[string]string{"TF_LOG": "verbose"}, nil},
		{"TF_LOG_PROVIDER wins over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "WARN"}, all("WARN")},
		{"TF_LOG_PROVIDER alone", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, nil},
		{
			"a variable the user set is kept",
			map[string]string{"TF_LOG": "ERROR", "TF_LOG_SDK_FRAMEWORK": "TRACE"},
			map[string]string{"TF_LOG_SDK": "ERROR", "TF_LOG_SDK_PROTO": "ERROR", "TF_LOG_PROVIDER_ATLASMIG": "ERROR"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := LogLevelDefaults(env(c.env))
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Fatalf("LogLevelDefaults (-want +got):\n%s", diff)
			}
		})
	}
}
