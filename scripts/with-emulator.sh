#!/usr/bin/env bash
# Runs a command with a fresh nks-emulator on a free 127.0.0.1 port, its base URL in
# NKS_EMULATOR_URL; stops the emulator (by PID) however the command ends.
# Extra emulator flags come from NKS_EMULATOR_ARGS (e.g. "--op-delay-ms 50").
# Usage: scripts/with-emulator.sh command...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp)"
# shellcheck disable=SC2086 # NKS_EMULATOR_ARGS is a list of flags
"$root/target/debug/nks-emulator" --port 0 ${NKS_EMULATOR_ARGS:-} >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
url=""
for _ in $(seq 1 200); do
  url="$(head -n 1 "$out")"
  [[ "$url" == http://* ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; exit 1; }
  sleep 0.05
done
[[ "$url" == http://* ]] || { echo "nks-emulator did not start within 10 s" >&2; exit 1; }
NKS_EMULATOR_URL="$url" "$@"
