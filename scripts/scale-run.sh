#!/usr/bin/env bash
# The scale run of docs/benchmarks.md: profiles x events ingested on SQLite in-process (8 producers,
# batches of 500, durable commits), then on a fresh engine: cold-profile decide p50/p99, managed
# memory per hot profile, and a new trait's backfill over every profile.
#   scripts/scale-run.sh                  # 1,000,000 profiles x 50 events (50M events; hours, ~tens of GB)
#   scripts/scale-run.sh 100000 50        # a tenth of it
# The database is kept (pass the same size again to re-run only the later phases); delete it after.
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
events="${2:-50}"
db="${3:-${TMPDIR:-/tmp}/tinycdp-scale-${profiles}x${events}.db}"
dotnet build samples/TinyCdp.Samples.ScaleRun -c Release -v q -nologo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"
dotnet run -c Release --no-build --project samples/TinyCdp.Samples.ScaleRun -- "$profiles" "$events" "$db"
