package config

import _ "embed"

// DemoYAML is config/demo.yml, the embedded demo's config.
//
//go:embed demo.yml
var DemoYAML []byte
