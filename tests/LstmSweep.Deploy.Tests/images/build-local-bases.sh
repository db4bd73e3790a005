#!/usr/bin/env bash
# Base images for deploy/docker/Dockerfile without a registry of images (none is reachable on the test machines):
#   $DEBIAN  Debian 12 from Debian's packages (debootstrap --variant=minbase) with ca-certificates, libssl3, libicu72
#   $RUNTIME that + the host's .NET runtimes (/usr/share/dotnet without the SDK): stands in for dotnet/aspnet:10.0
#   $SDK     that + the host's whole .NET SDK and its CA bundle: stands in for dotnet/sdk:10.0
# Each is built only when missing, so the tests of one run (and later runs on the same engine) share them.
# Usage: build-local-bases.sh CACHE_DIR DEBIAN_TAG RUNTIME_TAG SDK_TAG
set -euo pipefail
cache=$1 debian=$2 runtime=$3 sdk=$4
dotnet_root=${DOTNET_ROOT:-/usr/share/dotnet}
docker=${DOCKER:-docker}
have() { "$docker" image inspect "$1" > /dev/null 2>&1; }

if ! have "$debian"; then
  rootfs=$cache/rootfs
  if [ ! -e "$rootfs/.complete" ]; then
    rm -rf "$rootfs"
    echo "debootstrap bookworm into $rootfs" >&2
    debootstrap --variant=minbase --include=ca-certificates,libssl3,libicu72 bookworm "$rootfs" >&2
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb
    touch "$rootfs/.complete"
  fi
  tar -C "$rootfs" --exclude=./.complete -c . | "$docker" import - "$debian" >&2
fi

if ! have "$runtime"; then
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  printf 'FROM %s\nCOPY dotnet/ /usr/share/dotnet/\nRUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet\nENV DOTNET_ROOT=/usr/share/dotnet\n' "$debian" > "$context/Dockerfile"
  mkdir "$context/dotnet"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$context/dotnet/"
  "$docker" build --network host -q -t "$runtime" "$context" >&2
  rm -rf "$context"
  trap - EXIT
fi

if ! have "$sdk"; then
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  printf 'FROM %s\nCOPY dotnet/ /usr/share/dotnet/\nCOPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nRUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet\nENV DOTNET_ROOT=/usr/share/dotnet\n' "$debian" > "$context/Dockerfile"
  cp -a "$dotnet_root" "$context/dotnet"
  cp /etc/ssl/certs/ca-certificates.crt "$context/"
  "$docker" build --network host -q -t "$sdk" "$context" >&2
  rm -rf "$context"
  trap - EXIT
fi
