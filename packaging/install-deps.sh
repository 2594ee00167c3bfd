#!/bin/sh
# Installs what building and testing cluster needs on Debian 12 (run as root).
# Idempotent: packages already present are left alone.
set -eu

BUILD_PKGS="build-essential cmake pkg-config libsqlite3-dev libcurl4-openssl-dev \
  libcpp-httplib-dev libyaml-cpp-dev rapidjson-dev libnftnl-dev libmnl-dev libcli11-dev \
  catch2 libssl-dev libarchive-dev"
# Test and benchmark peers: the etcd 3.4 server for bench/store, curl and openssl for tests.
TEST_PKGS="etcd-server etcd-client curl openssl ca-certificates"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi
# Debian's etcd-server package starts a system etcd on 2379; the cluster server wants that
# port for its own store API, and the benchmark starts its own etcd on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
  systemctl stop etcd || true
  systemctl disable etcd >/dev/null 2>&1 || true
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "note: kubectl is not on the PATH; the end-to-end tests need kubectl v1.32" >&2
fi
