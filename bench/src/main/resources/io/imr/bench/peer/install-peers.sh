#!/usr/bin/env bash
# Installs the peers' brokers from Debian's packages when they are missing: Mosquitto (MQTT) and
# nats-server (NATS JetStream). `imr bench --peer ...` runs this itself when it cannot find a broker;
# it needs root (or sudo without a password) and Debian's package sources, nothing else.
# Usage: install-peers.sh [mosquitto] [nats-server]   (both when none is named)
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(mosquitto nats-server)
missing=()
for pkg in "${wanted[@]}"; do
  case "$pkg" in
    mosquitto|nats-server) ;;
    *) echo "install-peers: unknown package '$pkg' (mosquitto, nats-server)" >&2; exit 2 ;;
  esac
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$pkg" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-peers: ${missing[*]} missing; install as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
  || { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
# Debian starts the packaged services; the bench runs its own brokers on ports of its own.
for pkg in "${missing[@]}"; do
  "${sudo[@]}" systemctl disable --now "$pkg" >/dev/null 2>&1 || "${sudo[@]}" service "$pkg" stop >/dev/null 2>&1 || true
done
