#!/usr/bin/env bash
# HTTP load test on loopback (docs/benchmarks.md "HTTP load"): TinyCdp.Server (Release build, SQLite)
# against a minimal Kestrel endpoint that returns the same decide answer as fixed bytes
# (samples/TinyCdp.Samples.FixedJson), both driven by wrk with the same requests, one concurrency
# level after the other; then /v1/batch ingest. Prints the machine, then one table.
#
#   scripts/http-load.sh                      # levels 1 8 32 64, 3 rounds of 10 s each
#   LEVELS="8 64" ROUNDS=5 DURATION=20 scripts/http-load.sh
#   TESTS=batch scripts/http-load.sh          # only /v1/batch (or TESTS=decide)
#
# Needs wrk (Debian: apt-get install wrk), curl and jq. Builds what it runs; leaves nothing behind
# but its work directory (printed at the end; set KEEP=0 to delete it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

LEVELS=${LEVELS:-"1 8 32 64"}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
TESTS=${TESTS:-"decide batch"}
HOT_USERS=${HOT_USERS:-1000}
BATCH_SIZE=${BATCH_SIZE:-100}
LOAD_USERS=${LOAD_USERS:-10000}
SERVER_PORT=${SERVER_PORT:-5480}
BASELINE_PORT=${BASELINE_PORT:-5481}
KEEP=${KEEP:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in wrk curl jq; do
  command -v "$tool" > /dev/null || { echo "http-load.sh needs $tool (Debian: apt-get install $tool)" >&2; exit 2; }
done

# Not under /tmp by default: on the shared machines some processes watch /tmp recursively with
# inotify, which turns every SQLite write there into events for them (see docs/benchmarks.md).
work=$(mktemp -d "${HTTP_LOAD_TMP:-/var/tmp}/tinycdp-http-load.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [ "$KEEP" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build src/TinyCdp.Server -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
dotnet build samples/TinyCdp.Samples.FixedJson -c Release -v quiet -nologo >> "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }

wait_healthy() {
  for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$1/health" > /dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "nothing answered on port $1" >&2
  return 1
}

# The server: SQLite in the work directory, a generated admin key, a rate limit the load cannot reach.
admin_key="tcdp_load_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TINYCDP_ADMIN_KEY="$admin_key" TINYCDP_RATE_LIMIT_PER_MINUTE=2000000000 TINYCDP_CONNECTION="Data Source=$work/load.db" \
  Logging__LogLevel__Default=Warning \
  dotnet src/TinyCdp.Server/bin/Release/net10.0/TinyCdp.Server.dll --urls "http://127.0.0.1:$SERVER_PORT" > "$work/server.log" 2>&1 &
pids+=($!)
server_pid=$!
wait_healthy "$SERVER_PORT"

api() { # method path [body]
  curl -fsS -X "$1" "http://127.0.0.1:$SERVER_PORT$2" -H "Authorization: Bearer $admin_key" -H "Content-Type: application/json" ${3:+--data-binary "$3"}
}

echo "defining the catalog and seeding $HOT_USERS hot profiles..." >&2
read_key=$(api POST /v1/admin/keys '{"kind":"read","description":"http-load"}' | jq -r .key)
write_key=$(api POST /v1/admin/keys '{"kind":"write","description":"http-load"}' | jq -r .key)
# The decide benchmark's flag: reads a segment, a trait and serves a 10 % rollout.
api POST /v1/admin/traits '{"key":"total_spent","expression":"events.purchase.sum(amount, 30d)"}' > /dev/null
api POST /v1/admin/traits '{"key":"purchases_30d","expression":"events.purchase.count_30d"}' > /dev/null
api POST /v1/admin/segments '{"key":"frequent","rule":"purchases_30d >= 3"}' > /dev/null
api POST /v1/admin/flags '{"key":"new_checkout","rules":[{"when":"segment(\"frequent\") && trait(\"total_spent\") >= 100","split":{"on":10,"off":90}}]}' > /dev/null
for start in $(seq 0 100 $((HOT_USERS - 1))); do
  body=$(jq -cn --argjson s "$start" --argjson n "$HOT_USERS" \
    '{batch: [range($s; [$s + 100, $n] | min) as $u | range(0; 5) as $i | {type: "track", userId: "hot-\($u)", event: "purchase", properties: {amount: 40}}]}')
  curl -fsS -X POST "http://127.0.0.1:$SERVER_PORT/v1/batch" -H "Authorization: Bearer $write_key" -H "Content-Type: application/json" --data-binary "$body" > /dev/null
done

# The baseline serves the bytes of a real decide answer.
curl -fsS "http://127.0.0.1:$SERVER_PORT/v1/decide?userId=hot-1&flag=new_checkout" -H "Authorization: Bearer $read_key" > "$work/decide.json"
body_bytes=$(wc -c < "$work/decide.json")
dotnet samples/TinyCdp.Samples.FixedJson/bin/Release/net10.0/TinyCdp.Samples.FixedJson.dll --body="$work/decide.json" \
  --urls="http://127.0.0.1:$BASELINE_PORT" > "$work/baseline.log" 2>&1 &
pids+=($!)
baseline_pid=$!
wait_healthy "$BASELINE_PORT"

export HTTP_LOAD_DIR="$root/scripts/http-load" HOT_USERS BATCH_SIZE LOAD_USERS READ_KEY="$read_key" WRITE_KEY="$write_key" FLAG=new_checkout

run_wrk() { # script port connections seconds -> "requests duration_us p50_us p99_us failed non2xx"
  local threads=$(($3 < 2 ? 1 : 2))
  wrk -t"$threads" -c"$3" -d"$4s" --timeout 10s -s "$HTTP_LOAD_DIR/$1" "http://127.0.0.1:$2" > "$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; return 1; }
  grep '^RESULT' "$work/wrk.out" | sed -E 's/[a-z0-9_]+=//g; s/^RESULT //'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One wrk run; sets m_rate (requests/s), m_p50 and m_p99 (ms), m_errors, m_cpu (CPU µs of the
# serving process per request: user + system time, so it counts what the process spends, not
# what it waits for, and moves less than throughput when other work shares the machine).
measure() { # script port pid connections seconds
  local before after req dur p50 p99 failed non2xx
  before=$(cpu_ticks "$3")
  read -r req dur p50 p99 failed non2xx < <(run_wrk "$1" "$2" "$4" "$5")
  after=$(cpu_ticks "$3")
  m_rate=$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  m_p50=$(awk -v v="$p50" 'BEGIN { printf "%.2f", v / 1000 }')
  m_p99=$(awk -v v="$p99" 'BEGIN { printf "%.2f", v / 1000 }')
  m_errors=$((failed + non2xx))
  m_cpu=$(awk -v a="$before" -v b="$after" -v t="$(getconf CLK_TCK)" -v r="$req" 'BEGIN { printf "%.1f", (b - a) / t * 1e6 / r }')
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status") / 1024 )); }

echo "warming up..." >&2
run_wrk decide.lua "$BASELINE_PORT" 8 "$WARMUP" > /dev/null
run_wrk decide.lua "$SERVER_PORT" 8 "$WARMUP" > /dev/null
run_wrk batch.lua "$SERVER_PORT" 8 "$WARMUP" > /dev/null

table="$work/table.md"
printf '| %-24s | %4s | %9s | %7s | %7s | %14s | %-17s | %9s | %6s |\n' "test" "conn" "req/s" "p50 ms" "p99 ms" "CPU µs/request" "ratio (min–max)" "events/s" "errors" > "$table"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "---" "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:" >> "$table"
add_row() { # label connections rates p50s p99s cpus errors ratio-text events-per-request
  local rate events="–"
  rate=$(echo "$3" | median)
  if [ -n "$9" ]; then events=$(awk -v a="$rate" -v m="$9" 'BEGIN { printf "%.0f", a * m }'); fi
  printf '| %-24s | %4s | %9.0f | %7s | %7s | %14s | %-17s | %9s | %6s |\n' "$1" "$2" "$rate" "$(echo "$4" | median)" \
    "$(echo "$5" | median)" "$(echo "$6" | median)" "$8" "$events" "$7" >> "$table"
}

# Decide and its baseline: ROUNDS alternating runs per level; every figure is the median of the
# rounds, and the ratio is the median of the rounds' ratios (each decide run against the baseline
# run just before it), with the lowest and highest.
for c in $LEVELS; do
  case " $TESTS " in *" decide "*) ;; *) break ;; esac
  b_rate="" b_p50="" b_p99="" b_cpu="" b_err=0 d_rate="" d_p50="" d_p99="" d_cpu="" d_err=0 ratios=""
  for round in $(seq 1 "$ROUNDS"); do
    echo "decide and its baseline at $c connections, round $round of $ROUNDS..." >&2
    measure decide.lua "$BASELINE_PORT" "$baseline_pid" "$c" "$DURATION"
    b_rate+=" $m_rate" b_p50+=" $m_p50" b_p99+=" $m_p99" b_cpu+=" $m_cpu" b_err=$((b_err + m_errors))
    baseline=$m_rate
    measure decide.lua "$SERVER_PORT" "$server_pid" "$c" "$DURATION"
    d_rate+=" $m_rate" d_p50+=" $m_p50" d_p99+=" $m_p99" d_cpu+=" $m_cpu" d_err=$((d_err + m_errors))
    ratios+=" $(awk -v a="$m_rate" -v b="$baseline" 'BEGIN { printf "%.3f", a / b }')"
  done
  ratio_text=$(printf '%.2f (%.2f–%.2f)' "$(echo "$ratios" | median)" "$(echo "$ratios" | tr ' ' '\n' | grep -v '^$' | sort -g | head -n 1)" \
    "$(echo "$ratios" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1)")
  add_row "fixed JSON (baseline)" "$c" "$b_rate" "$b_p50" "$b_p99" "$b_cpu" "$b_err" "–" ""
  add_row "GET /v1/decide" "$c" "$d_rate" "$d_p50" "$d_p99" "$d_cpu" "$d_err" "$ratio_text" ""
done

for c in $LEVELS; do
  case " $TESTS " in *" batch "*) ;; *) break ;; esac
  rates="" p50s="" p99s="" cpus="" errors=0
  for round in $(seq 1 "$ROUNDS"); do
    echo "/v1/batch ($BATCH_SIZE events a request) at $c connections, round $round of $ROUNDS..." >&2
    measure batch.lua "$SERVER_PORT" "$server_pid" "$c" "$DURATION"
    rates+=" $m_rate" p50s+=" $m_p50" p99s+=" $m_p99" cpus+=" $m_cpu" errors=$((errors + m_errors))
  done
  add_row "POST /v1/batch, $BATCH_SIZE events" "$c" "$rates" "$p50s" "$p99s" "$cpus" "$errors" "–" "$BATCH_SIZE"
done

echo
echo "date $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src samples scripts || echo ' (with local changes)'), nproc $(nproc)," \
  "memory $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uptime | sed -E 's/.*(load average)/\1/')"
echo "wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), $ROUNDS rounds of $DURATION s at each level (medians), 1 thread at 1 connection and 2 above;" \
  "decide answer $body_bytes bytes; $HOT_USERS hot profiles; batches of $BATCH_SIZE over $LOAD_USERS users;" \
  "server RSS at the end $(rss_mb) MB; events stored $(sqlite3 "$work/load.db" 'select count(*) from events' 2> /dev/null || echo '?')"
echo
cat "$table"
echo
echo "work directory: $work" >&2
