// Command generate writes the dashboards' JSON files from their Go source.
// Run it with `go generate ./dashboards`.
package main

import (
	"log"
	"os"

	"github.com/sre-workload/sre_workload_exporter/dashboards"
)

func main() {
	for _, d := range dashboards.All() {
		data, err := d.JSON()
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(d.File, data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
