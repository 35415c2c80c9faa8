#!/usr/bin/env bash
# Dyad's test command: the one the README gives and CI runs (.ci/run).
# It installs what the tests need beyond Go, then runs formatting, vet,
# staticcheck and the whole test suite with the race detector, including
# the tests behind the `integration` build tag: the browser tests
# (Chromium), the R and PSPP runs of the export syntax, the .sav and .dta
# read back by PSPP, R's haven and readstat, and the tests that
# build and run the real dyad binary. A plain `go test ./...` leaves those
# out, for a quick run while working.
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
# With the tag, so the integration tests are checked too.
go vet -tags integration ./...

step "staticcheck"
if ! command -v staticcheck >/dev/null 2>&1; then
  go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
  export PATH="$(go env GOPATH)/bin:$PATH"
fi
staticcheck -tags integration ./...

step "browser test tools (Chromium, axe-core)"
# internal/web's browser tests drive Debian's Chromium and check every page
# with axe-core (pinned in internal/web/testdata/axe). Under CI they fail,
# not skip, when either is missing.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  else
    echo "Chromium is missing: sudo apt-get install chromium (the browser tests skip without it, outside CI)"
  fi
fi
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix internal/web/testdata/axe --no-audit --no-fund --loglevel=error
else
  echo "npm is missing: the accessibility checks skip without axe-core, outside CI"
fi
export DYAD_SCREENSHOTS="${DYAD_SCREENSHOTS:-$PWD/screenshots/web}"

step "R (with psych and haven), PSPP and readstat for the export's and the statistics' tests"
# internal/export runs the generated R script (r-base-core) and SPSS syntax
# (pspp, GNU's SPSS), and reads the .sav and .dta files back with PSPP,
# R's haven (r-cran-haven) and the readstat command (readstat);
# internal/stats checks its figures with missing codes against R's psych
# package (r-cran-psych). Outside CI those tests skip without the tools;
# under CI they fail. From Debian's packages they install in about a minute.
if ! command -v Rscript >/dev/null 2>&1 || ! command -v pspp >/dev/null 2>&1 \
  || ! command -v readstat >/dev/null 2>&1 || ! Rscript --vanilla -e 'library(haven); library(psych)' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends r-base-core pspp r-cran-haven r-cran-psych readstat \
      || echo "R, PSPP, haven, psych or readstat did not install: their tests will skip (outside CI)"
  else
    echo "Rscript, pspp, haven, psych or readstat is missing: sudo apt-get install r-base-core pspp r-cran-haven r-cran-psych readstat (their tests skip without them, outside CI)"
  fi
fi

step "R psych, GPArotation and lavaan for the psychometrics reference values"
# internal/psychometrics is held equal to R: scripts/r/psychometrics-reference.R
# computes the golden files under internal/psychometrics/testdata with
# psych and GPArotation. It runs again here into a temporary folder, and
# TestReferenceRegenerated fails when the committed files differ from what
# R computes now, or the Go code from either. Under CI the packages must be
# there; elsewhere the check skips without them.
psych_ok() { Rscript -e 'for (p in c("psych", "GPArotation", "lavaan", "jsonlite")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)' >/dev/null 2>&1; }
if ! psych_ok && [ "$(id -u)" = 0 ]; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    r-cran-psych r-cran-gparotation r-cran-lavaan r-cran-jsonlite \
    || echo "R's psych, GPArotation or lavaan did not install"
fi
if psych_ok; then
  DYAD_PSYCHOMETRICS_REFERENCE=$(mktemp -d)
  export DYAD_PSYCHOMETRICS_REFERENCE
  Rscript scripts/r/psychometrics-reference.R "$DYAD_PSYCHOMETRICS_REFERENCE"
elif [ "${CI:-}" = true ]; then
  echo "R with psych, GPArotation and lavaan is required under CI: apt-get install r-cran-psych r-cran-gparotation r-cran-lavaan r-cran-jsonlite"; exit 1
else
  echo "R's psych, GPArotation or lavaan is missing: sudo apt-get install r-cran-psych r-cran-gparotation r-cran-lavaan r-cran-jsonlite (the regenerated reference check skips)"
fi

step "nginx for the deployment example"
# cmd/dyad's TestDeployExampleNginx runs docs/deploy/nginx.conf in Debian's
# nginx, as a foreground process in a temporary folder; the system service
# is not started (Debian's package would start it: policy-rc.d or no init
# in a container stops that, and the test needs none of it).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
      || echo "nginx did not install: the deployment example test skips (outside CI)"
  else
    echo "nginx is missing: sudo apt-get install nginx (the deployment example test skips without it, outside CI)"
  fi
fi

step "mailpit for the e-mail tests"
# cmd/dyad's mailing tests send participants' e-mails through a real mail
# server on loopback (mailpit, started by the test on free ports) and read
# them back through its API. Without it those tests skip, except under CI.
if ! command -v mailpit >/dev/null 2>&1; then
  go install github.com/axllent/mailpit@v1.33.1 || echo "mailpit did not install: the mailing tests skip (outside CI)"
  export PATH="$(go env GOPATH)/bin:$PATH"
fi

step "PostgreSQL test cluster"
# The PostgreSQL half of the suite (internal/store/postgres, the postgres
# subtests of the API, web-form and dashboard tests, cmd/dyad's tests on
# PostgreSQL) runs against a throw-away cluster on 127.0.0.1, stopped when
# this script exits (scripts/pg-test-cluster.sh); the URL is exported, so
# every package's tests see it. Without DYAD_TEST_POSTGRES_URL those tests
# skip, except under CI.
if [ -z "${DYAD_TEST_POSTGRES_URL:-}" ]; then
  . scripts/pg-test-cluster.sh || echo "no PostgreSQL test cluster: the PostgreSQL tests skip (outside CI)"
fi

step "go test -race (with the integration tests)"
go test -race -count=1 -tags integration ./...
echo "Screenshots of the respondent pages (phone and desktop): $DYAD_SCREENSHOTS"

step "fuzz (bounded)"
# Each fuzzer runs briefly on top of its checked-in seed corpus
# (testdata/fuzz/). The budget is a count of inputs, each about 10 s of
# fuzzing on a two-core machine, not a duration: with a duration, Go 1.26's
# fuzz coordinator can report its own deadline as a failure ("context
# deadline exceeded", no failing input written; go.dev/issue/75804, fixed
# in Go 1.27), which turned a green run red once. Run longer by hand with
# FUZZTIME=5m (or FUZZTIME=1000000x) scripts/test.sh.
for target in "FuzzParse ./internal/instrument 6000x" "FuzzImport ./internal/instrument 40000x" \
  "FuzzCheck ./internal/survey 100000x" "FuzzCSVWriter ./internal/export 8000x" \
  "FuzzStatNames ./internal/export 40000x" "FuzzWebFormPOST ./internal/web 4000x" \
  "FuzzAttrEscape ./internal/web 15000x" "FuzzDecodeSubmission ./internal/httpapi 15000x" \
  "FuzzParseParticipantsCSV ./internal/survey 45000x" "FuzzMatch ./internal/i18n 80000x"; do
  set -- $target
  go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZTIME:-$3}" "$2"
done
