#!/usr/bin/env bash
# The one test command: installs what the tests need, builds, runs every test project and ends with
# a line "N passed, N failed". Exit code is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '[run.sh] %s\n' "$*" >&2; }

# 1. System packages: a real Prometheus (promtool for backfills), Debian's Chromium for browser tests and
#    python3-kubernetes (a Kubernetes client nobody here wrote, driven against the sandbox).
need=()
/usr/bin/python3 -c "import kubernetes" >/dev/null 2>&1 || need+=(python3-kubernetes)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { log "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# 2. Node packages for the official-SDK fidelity tests (each tests/*/node folder with a package.json).
for pkg in tests/*/node/package.json; do
  [ -f "$pkg" ] || continue
  dir=$(dirname "$pkg")
  log "npm install in $dir"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null) \
    || { log "npm install failed in $dir"; echo "0 passed, 1 failed"; exit 1; }
done

# 3. Build once, then test every test project.
log "building"
if ! dotnet build ScaleControl.sln -c Debug -nologo -v q; then
  log "build failed"; echo "0 passed, 1 failed"; exit 1
fi

results="$root/TestResults"
rm -rf "$results"
log "testing"
dotnet test ScaleControl.sln --no-build -c Debug -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" \
  --blame-hang-timeout 10m -- RunConfiguration.TestSessionTimeout=3000000
status=$?

# 4. Sum the counters of every trx file into the closing line.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  get() { echo "$line" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi   # a crashed or hung run still fails
echo "$passed passed, $failed failed, $skipped skipped"
[ $status -eq 0 ] && [ $failed -eq 0 ]
