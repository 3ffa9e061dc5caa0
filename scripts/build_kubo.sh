#!/usr/bin/env bash
# Builds the pinned kubo (the IPFS daemon) from the Go module proxy into the project's tools folder.
# Usage: build_kubo.sh <kubo version> <go-libp2p version> <tools dir>. Called by `make kubo`.
#
# kubo's go.mod replaces go-libp2p with a personal fork (github.com/lidel/go-libp2p) that the module proxy
# does not serve, so `go install github.com/ipfs/kubo/cmd/ipfs@<version>` cannot work. The replace only waited
# for a go-libp2p release requiring quic-go >= v0.62.0 and webtransport-go >= v0.13.0 (its own comment says
# so); go-libp2p v0.50.0 is that release. So: copy the module's source, drop the replace, require that release,
# build. Everything comes from the module proxy, nothing from anywhere else.
set -euo pipefail
version=$1 libp2p=$2 tools=$3
mkdir -p "$tools"
tools=$(cd "$tools" && pwd)

command -v go >/dev/null 2>&1 || { echo "kubo $version needs Go >= 1.26.5 to build; install it (go.dev/dl)"; exit 1; }
have=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n1.26.5\n' "$have" | sort -V | head -n1)" != "1.26.5" ]; then
  echo "kubo $version needs Go >= 1.26.5 to build; this machine has $have"; exit 1
fi

started=$(date +%s)
dir=$(go mod download -json "github.com/ipfs/kubo@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "the module proxy did not give github.com/ipfs/kubo@$version"; exit 1; }
src="$tools/src/kubo-$version"
rm -rf "$src" && mkdir -p "$tools/src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
cd "$src"
go mod edit -dropreplace=github.com/libp2p/go-libp2p
go get "github.com/libp2p/go-libp2p@$libp2p"
CGO_ENABLED=0 go build -trimpath -o "$tools/bin/ipfs.new" ./cmd/ipfs
mv "$tools/bin/ipfs.new" "$tools/bin/ipfs"
rm -f "$tools"/.stamp-kubo-*
touch "$tools/.stamp-kubo-$version-libp2p-$libp2p"
echo "built $("$tools/bin/ipfs" version) in $(( $(date +%s) - started )) s into $tools/bin/ipfs"
