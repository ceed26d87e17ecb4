#!/usr/bin/env bash
# Measures one strategy end to end with real processes on 127.0.0.1:
#
#   imr server --strategy X --metrics ...   <-  imr proxy (one connection cut every 5,000 messages)
#                                                <-  imr receive --until N (bob)
#                                                <-  imr send --count N --size 256 (alice, to bob)
#
# and prints messages per second (from the start of `imr send` to the receiver's exit) and, per
# message, the server's counts: control bytes (imr_bytes_control_total), confirmation bytes
# (imr_bytes_confirmation_total: ack, ack-up-to, pull and notify frames), pulls
# (imr_pulls_total) and retransmissions (imr_retransmits_total).
#
# The figures are the server's: `imr receive` has no metrics endpoint, and the server sees every
# frame of both directions of both clients' sessions. So control bytes count the sender's session
# too (send headers, send-acks), while confirmation bytes only happen on the receiver's session.
#
# Usage: scripts/strategy-run.sh STRATEGY [N]        (N defaults to 100000)
# Environment: CUT_EVERY (messages between two cuts, default 5000; 0: no cuts), SIZE (payload
# bytes, default 256), KEEP=1 keeps the run's folder. Uses only ./imr, curl and awk.
set -euo pipefail

strategy="${1:?usage: $0 STRATEGY [N]}"
n="${2:-100000}"
cut_every="${CUT_EVERY:-5000}"
size="${SIZE:-256}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
imr="$root/imr"
run="$(mktemp -d "${TMPDIR:-/tmp}/imr-strategy-run.XXXXXX")"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then
    echo "run folder kept: $run" >&2
  else
    rm -rf "$run"
  fi
}
trap cleanup EXIT

# Waits (at most $3 seconds) until file $1 has a line matching $2, and prints the rest of that line.
await_line() {
  local file="$1" pattern="$2" deadline=$((SECONDS + ${3:-120})) line
  while [ "$SECONDS" -lt "$deadline" ]; do
    line="$(grep -m1 "^$pattern" "$file" 2>/dev/null || true)"
    if [ -n "$line" ]; then
      echo "${line#"$pattern"}"
      return 0
    fi
    sleep 0.05
  done
  echo "strategy-run: no \"$pattern\" line in $file within ${3:-120}s; its stderr:" >&2
  cat "${file%.out}.err" >&2 || true
  return 1
}

now_ns() { date +%s%N; }

# Build (if needed) before anything is timed; build output goes to stderr.
"$imr" --version >/dev/null

"$imr" server --listen 127.0.0.1:0 --data "$run/server" --strategy "$strategy" --metrics 127.0.0.1:0 \
  >"$run/server.out" 2>"$run/server.err" &
pids+=($!)
server="$(await_line "$run/server.out" "listening on ")"
metrics="$(await_line "$run/server.out" "metrics on ")"

# The proxy counts each message once each way (a send, then its delivery), so a cut every 2 x CUT_EVERY
# counted messages is one cut every CUT_EVERY messages sent, falling on the sender's or the receiver's
# connection.
"$imr" proxy --listen 127.0.0.1:0 --target "$server" --cut-every $((2 * cut_every)) --seed 1 \
  >"$run/proxy.out" 2>"$run/proxy.err" &
pids+=($!)
proxy="$(await_line "$run/proxy.out" "proxying on ")"

"$imr" token --secret-file "$run/server/secret" --user bob --device phone >"$run/bob.token"
"$imr" token --secret-file "$run/server/secret" --user alice --device laptop >"$run/alice.token"

"$imr" receive --server "$proxy" --user bob --device phone --token-file "$run/bob.token" --data "$run/bob" \
  --until "$n" >"$run/receive.out" 2>"$run/receive.err" &
receiver=$!
pids+=("$receiver")
await_line "$run/receive.err" "imr: connected to " >/dev/null

start="$(now_ns)"
if ! "$imr" send --server "$proxy" --user alice --device laptop --token-file "$run/alice.token" --to bob \
  --count "$n" --size "$size" --data "$run/alice" >"$run/send.out" 2>"$run/send.err"; then
  echo "strategy-run: imr send failed:" >&2
  cat "$run/send.err" >&2
  exit 1
fi
sent="$(now_ns)"
if ! wait "$receiver"; then
  echo "strategy-run: imr receive failed:" >&2
  cat "$run/receive.err" >&2
  exit 1
fi
end="$(now_ns)"

curl -fsS "http://$metrics/metrics" >"$run/metrics.txt"
summary="$("$imr" inspect --data "$run/bob" --json)"
kill "${pids[1]}"   # the proxy: SIGTERM, then its line of counts
wait "${pids[1]}" || true
cuts="$(sed -n 's/.*cut \([0-9]*\) connections.*/\1/p' "$run/proxy.err")"

metric() { # the value of a counter of the server, 0 when absent
  awk -v name="$1" '$1 ~ "^" name "\\{" && $1 ~ /side="server"/ { v += $2 } END { printf "%.0f", v + 0 }' "$run/metrics.txt"
}
control="$(metric imr_bytes_control_total)"
confirmation="$(metric imr_bytes_confirmation_total)"
pulls="$(metric imr_pulls_total)"
retransmits="$(metric imr_retransmits_total)"

awk -v s="$strategy" -v n="$n" -v size="$size" -v t0="$start" -v t1="$sent" -v t2="$end" -v ctl="$control" \
  -v conf="$confirmation" -v pulls="$pulls" -v rtx="$retransmits" -v cuts="${cuts:-?}" -v every="$cut_every" '
  BEGIN {
    secs = (t2 - t0) / 1e9
    printf "strategy %s: %d messages of %d bytes, one connection cut every %d messages (%s cuts)\n", s, n, size, every, cuts
    printf "  messages per second      %10.0f   (%.1f s from send start to the receiver'"'"'s exit; send took %.1f s)\n", n / secs, secs, (t1 - t0) / 1e9
    printf "  control bytes/message    %10.1f   (server, both sessions, both ways)\n", ctl / n
    printf "  confirmation bytes/msg   %10.2f   (server: ack, ack-up-to, pull, notify)\n", conf / n
    printf "  pulls                    %10d   (%.4f per message)\n", pulls, pulls / n
    printf "  retransmissions          %10d   (%.4f per message)\n", rtx, rtx / n
  }'
echo "  receiver store           $summary"
grep '^imr: .* committed in' "$run/receive.err" | sed 's/^/  receiver: /' || true
