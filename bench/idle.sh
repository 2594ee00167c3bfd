#!/bin/bash
# Idle figures of `cluster server`: start-up time to a served /readyz... (here: to the first
# answered request), Pss after settling, CPU and bytes written to disk while idle.
# Usage: bench/idle.sh [BINARY] [IDLE_SECONDS] [extra server flags...]
set -euo pipefail
BIN=${1:-build/cluster}; IDLE=${2:-30}; shift 2 || true
DIR=$(mktemp -d /tmp/cluster-idle-XXXXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
EPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start=$(date +%s.%N)
"$BIN" server --data-dir "$DIR" --https-listen-port "$PORT" --bind-address 127.0.0.1 \
  --etcd-listen-client-urls "https://127.0.0.1:$EPORT" --write-kubeconfig "$DIR/kc.yaml" \
  --disable-agent "$@" > "$DIR/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
until curl -sk "https://127.0.0.1:$PORT/version" -o /dev/null 2>/dev/null; do sleep 0.01; done
ready=$(date +%s.%N)
sleep 5
pss() { awk '/^Pss:/{print $2}' /proc/$PID/smaps_rollup; }
w0=$(awk '/^write_bytes/{print $2}' /proc/$PID/io)
t0=$(awk '{print $14+$15}' /proc/$PID/stat)
sleep "$IDLE"
w1=$(awk '/^write_bytes/{print $2}' /proc/$PID/io)
t1=$(awk '{print $14+$15}' /proc/$PID/stat)
hz=$(getconf CLK_TCK)
printf 'start to first answer: %.3f s\n' "$(echo "$ready - $start" | bc)"
printf 'Pss after settling: %.1f MiB\n' "$(echo "$(pss) / 1024" | bc -l)"
printf 'idle CPU: %.2f %% of a core over %s s\n' "$(echo "($t1 - $t0) * 100 / $hz / $IDLE" | bc -l)" "$IDLE"
printf 'idle disk writes: %d bytes over %s s\n' "$((w1 - w0))" "$IDLE"
printf 'threads: %s\n' "$(ls /proc/$PID/task | wc -l)"
