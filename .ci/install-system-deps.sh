#!/usr/bin/env bash
# Install the Debian packages specc's test-suite needs to run its real consumers:
#   buildah + runc (+ podman, optional) : real image builds and containers (tests/infra/buildah.py)
#   debootstrap                         : the bookworm rootfs for init-script chroots (rootfs.py)
#   ivy + a JDK (javac/jar/java)        : Maven fixtures are compiled with javac, resolved by Ivy
#   openjdk-17-jre-headless             : Java 17 for local PySpark 3.5 (tests/test_spark_scoring.py;
#                                         DBR 15.4 runs Spark 3.5, which supports Java 8/11/17)
#   ShellCheck (the linter)             : lint of rendered init scripts
#   dpkg-dev, zstd, util-linux          : dpkg-deb, layer decompression, unshare
# R is NOT installed on the host: it is installed inside the chroot/image when a test needs it.
#
# Idempotent and fast when everything is present (one dpkg-query, no apt-get update).
# Usage: sudo .ci/install-system-deps.sh [--no-podman]
set -euo pipefail

packages=(buildah runc debootstrap ivy default-jdk-headless openjdk-17-jre-headless shellcheck dpkg-dev zstd
  util-linux ca-certificates podman)
if [[ "${1:-}" == "--no-podman" ]]; then
  packages=("${packages[@]/podman/}")
fi

missing=()
for p in "${packages[@]}"; do
  [[ -n "$p" ]] || continue
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$p")
  fi
done

# A JDK may already come from elsewhere (e.g. a CI image's /usr/bin/javac): accept it.
if command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1; then
  kept=()
  for p in "${missing[@]}"; do [[ "$p" == default-jdk-headless ]] || kept+=("$p"); done
  missing=("${kept[@]}")
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system-deps: all present"
  exit 0
fi

echo "install-system-deps: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  "${missing[@]}"
echo "install-system-deps: done"
