# Multi-stage build of a static, non-root sre_workload_exporter image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/build.sh /out/sre_workload_exporter && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sre_workload_exporter /bin/sre_workload_exporter
# The state directory, owned by nonroot (65532) so that a named volume
# mounted on it starts writable.
COPY --from=build --chown=65532:65532 /out/state /var/lib/sre_workload_exporter
USER nonroot:nonroot
EXPOSE 9866
# Mount the config (and any token_file) at /etc/sre_workload_exporter/.
ENTRYPOINT ["/bin/sre_workload_exporter"]
CMD ["--config.file=/etc/sre_workload_exporter/config.yml", "--storage.path=/var/lib/sre_workload_exporter"]
