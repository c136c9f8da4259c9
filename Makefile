.PHONY: build test vet demo
build:
	scripts/build.sh
test:
	scripts/test.sh
vet:
	go vet ./...
demo:
	go run ./cmd/sre_workload_exporter --demo
