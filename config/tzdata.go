package config

// The time-zone database is compiled in (about 450 kB), so that a config
// with `timezone: Asia/Tokyo` is valid on any host, including a scratch or
// distroless image and a minimal host without /usr/share/zoneinfo:
// time.LoadLocation falls back to it when the system has none
// (https://pkg.go.dev/time/tzdata).
import _ "time/tzdata"
