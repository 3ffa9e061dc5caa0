#!/usr/bin/env bash
# Builds the pinned geth (go-ethereum) from the Go module proxy into the project's tools folder.
# Usage: build_geth.sh <geth version> <go toolchain> <tools dir>. Called by `make geth`.
#
# geth v1.13.15 is the last release that seals Clique proof-of-authority blocks on its own (later releases
# need a beacon client). It builds as it is with Go 1.22 (`GOTOOLCHAIN=go1.22.12`, a toolchain the module
# proxy serves). With a newer Go the link fails on github.com/fjl/memsize ("invalid reference to
# runtime.stopTheWorld") unless -checklinkname=0 is given, so that is the fallback when the pinned
# toolchain cannot be fetched. Everything comes from the module proxy, nothing from anywhere else.
set -euo pipefail
version=$1 toolchain=$2 tools=$3
mkdir -p "$tools/bin"
tools=$(cd "$tools" && pwd)

command -v go >/dev/null 2>&1 || { echo "geth $version needs Go to build; install it (go.dev/dl)"; exit 1; }

started=$(date +%s)
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
if GOTOOLCHAIN="$toolchain" GOBIN="$build" go install "github.com/ethereum/go-ethereum/cmd/geth@$version"; then
  how="with $toolchain"
else
  echo "the $toolchain toolchain did not build geth; trying this machine's $(go env GOVERSION) with -checklinkname=0"
  GOTOOLCHAIN=local GOBIN="$build" go install -ldflags=-checklinkname=0 "github.com/ethereum/go-ethereum/cmd/geth@$version"
  how="with $(go env GOVERSION) -ldflags=-checklinkname=0"
fi
mv "$build/geth" "$tools/bin/geth.new"
mv "$tools/bin/geth.new" "$tools/bin/geth"
rm -f "$tools"/.stamp-geth-*
touch "$tools/.stamp-geth-$version"
echo "built $("$tools/bin/geth" version | sed -n 's/^Version: //p') $how in $(( $(date +%s) - started )) s into $tools/bin/geth"
