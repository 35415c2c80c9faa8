# Dyad: one binary with an embedded SQLite database.
#   docker build -t dyad .
#   docker run -p 8080:8080 -v dyad-data:/data dyad
# The researcher token is printed once on the first start (docker logs), or
# set it with -e DYAD_ADMIN_TOKEN=...

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# cgo: the SQLite driver is C. -trimpath and stripped symbols keep the binary small.
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/dyad ./cmd/dyad

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin dyad \
 && mkdir -p /data && chown dyad:dyad /data
COPY --from=build /out/dyad /usr/local/bin/dyad
USER dyad
VOLUME /data
ENV DYAD_ADDR=:8080 DYAD_DB=/data/dyad.db
EXPOSE 8080
# The image has no curl: dyad health asks the server's own /readyz (at
# DYAD_ADDR) and exits 0 when it is ready, 1 when the database cannot take
# writes or the server does not answer.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["dyad", "health"]
ENTRYPOINT ["dyad"]
CMD ["serve"]
