#!/usr/bin/env bash
# Builds the vcsim launcher to tests/vcsim/bin/vcsim against Debian's packaged govmomi,
# in GOPATH mode (no network, no go.mod). Usage: tests/vcsim/build.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
GOPATH_DEB=/usr/share/gocode
INSTALL_HINT="apt-get install -y golang-go golang-github-vmware-govmomi-dev"

if ! command -v go >/dev/null 2>&1; then
	echo "build.sh: the Go toolchain is missing. Install it with: $INSTALL_HINT" >&2
	exit 1
fi
if [ ! -f "$GOPATH_DEB/src/github.com/vmware/govmomi/simulator/simulator.go" ]; then
	echo "build.sh: govmomi sources not found under $GOPATH_DEB. Install them with: $INSTALL_HINT" >&2
	exit 1
fi

mkdir -p "$HERE/bin"
cd "$REPO"
export GO111MODULE=off GOPATH="$GOPATH_DEB" GOFLAGS=
go vet ./tests/vcsim
go build -o "$HERE/bin/vcsim" ./tests/vcsim
echo "build.sh: built $HERE/bin/vcsim ($(go version | cut -d' ' -f3), govmomi $(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev 2>/dev/null || echo unknown))"
