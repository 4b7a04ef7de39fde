#!/usr/bin/env bash
# Runs every test of the repository: builds the vCenter simulator the integration tests start,
# runs all xunit projects with TRX results, builds the PowerShell module and runs the whole Pester
# suite against it in pwsh, and ends with one line "N passed, N failed" over both.
# Exits non-zero on any failure (a skipped Pester test counts as a failure). Usage: bash tests/run-tests.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The simulator needs Go and govmomi from Debian, and the tests' independent reader (tests/vcsim/readvms.py)
# Debian's pyVmomi for /usr/bin/python3; install them when missing and we may.
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ] ||
  ! /usr/bin/python3 -c 'import pyVmomi' >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-vmware-govmomi-dev python3-pyvmomi >/dev/null
  else
    echo "run-tests: the vCenter simulator and its tests need: sudo apt-get install golang-go golang-github-vmware-govmomi-dev python3-pyvmomi" >&2
    exit 2
  fi
fi
# The HTML report's test renders it in Debian's chromium (headless); install it when missing and we may.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "run-tests: the HTML report's browser test needs: sudo apt-get install chromium" >&2
    exit 2
  fi
fi
bash tests/vcsim/build.sh

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
# pwsh is a local dotnet tool (.config/dotnet-tools.json); Pester a NuGet package (tests/tools).
dotnet tool restore --verbosity quiet >/dev/null
dotnet restore tests/tools/TestTools.csproj --verbosity quiet
dotnet restore CpuidMask.slnx --verbosity quiet
dotnet build CpuidMask.slnx --no-restore --configuration Release --verbosity quiet -nologo
status=0
dotnet test CpuidMask.slnx --no-build --configuration Release --logger "trx" --results-directory "$results" || status=$?

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
if [ ${#trx_files[@]} -eq 0 ]; then
  echo "run-tests: no test results were written" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  e=$(echo "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done

# The module as users load it (./build.ps1 -Task Build stages it), then Pester against it in a fresh pwsh.
pester_status=0
pester_log="$results/pester.log"
if dotnet pwsh -NoProfile -NonInteractive -File build.ps1 -Task Build >"$results/build-module.log" 2>&1; then
  dotnet pwsh -NoProfile -NonInteractive -File tests/Invoke-PesterSuite.ps1 \
    -Module "$repo/artifacts/module/CpuidMask" -ResultPath "$results/pester.xml" 2>&1 | tee "$pester_log" || pester_status=$?
else
  cat "$results/build-module.log" >&2
  echo "run-tests: building the module failed" >&2
  pester_status=1
fi
summary=$(grep -o 'PESTER passed=[0-9]* failed=[0-9]* skipped=[0-9]* notrun=[0-9]*' "$pester_log" 2>/dev/null | tail -n 1 || true)
if [ -n "$summary" ]; then
  pp=$(echo "$summary" | sed 's/.*passed=\([0-9]*\).*/\1/')
  pf=$(echo "$summary" | sed 's/.*failed=\([0-9]*\).*/\1/')
  ps=$(echo "$summary" | sed 's/.*skipped=\([0-9]*\).*/\1/')
  pn=$(echo "$summary" | sed 's/.*notrun=\([0-9]*\).*/\1/')
  echo "run-tests: xunit passed=$passed failed=$failed; Pester passed=$pp failed=$pf skipped=$ps notrun=$pn"
  passed=$((passed + pp))
  failed=$((failed + pf + ps + pn))
fi
if [ "$pester_status" -ne 0 ] && [ -z "$summary" ]; then
  failed=$((failed + 1))
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
