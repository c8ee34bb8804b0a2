#!/usr/bin/env bash
# Installs the Debian packages extriage needs, only those that are missing.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(
  pkg-config      # SwiftPM finds system libraries through it
  libarchive-dev  # bundle reading and writing (CArchive)
  libsqlite3-dev  # the case store (CaseStore, through GRDB)
  postgresql      # the PostgreSQL case tests start a throw-away cluster (scripts/with-postgres.sh)
  time            # GNU time: peak memory in the benchmarks
  openssl         # tests check that OpenSSL reads the signing keys
  libyara-dev     # web-shell rules (CYara)
  libfuzzy-dev    # ssdeep hashes of web shells, compared across a case (CFuzzy)
  libevtx-dev libregf-dev libscca-dev libesedb-dev libewf-dev libtsk-dev  # event logs, hives, prefetch, SRUM (ESE), E01, disk images (CForensics)
  libvshadow-dev libbfio-dev  # Volume Shadow Copy stores of image volumes, read through libbfio (CForensics)
  yara            # the benchmark compares with the yara command
  libevtx-utils   # the benchmark compares with evtxexport
  ewf-tools sleuthkit e2fsprogs mtools dosfstools ntfs-3g ntfs-3g-dev fdisk  # test images made at test time
  python3         # Samples/tools/vss_snapshot.py writes the shadow-copy store of the test images
  libvshadow-utils  # vshadowinfo: cross-checks the shadow-copy stores the tests write
  gcc libc6-dev   # the test helper that writes files into NTFS images over libntfs-3g
)
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
