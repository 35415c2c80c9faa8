#!/usr/bin/env bash
# Dyad's test command: the one the README gives and CI runs (.ci/run).
# It installs what the tests need beyond Go, then runs formatting, vet,
# staticcheck and the whole test suite with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

STATICCHECK_VERSION=v0.8.2

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
if ! command -v staticcheck >/dev/null 2>&1; then
  go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
  export PATH="$(go env GOPATH)/bin:$PATH"
fi
staticcheck ./...

step "go test -race"
go test -race -count=1 ./...

step "fuzz (bounded)"
# Each fuzzer runs briefly on top of its checked-in seed corpus
# (testdata/fuzz/); run longer by hand with FUZZTIME=5m scripts/test.sh.
for target in "FuzzParse ./internal/instrument" "FuzzCheck ./internal/survey"; do
  set -- $target
  go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZTIME:-10s}" "$2"
done
