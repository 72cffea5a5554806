#!/usr/bin/env bash
# Mixed ingest + decide load on the real server (SQLite) for a while, printing every 5 seconds:
# ingest messages/s, decisions/s, decide p99 and the server's resident memory. Fails if any
# request fails or memory keeps growing (see tests/TinyCdp.Storage.Specification/Crash/SoakSpecification.cs).
#   scripts/soak.sh          # 10 minutes
#   scripts/soak.sh 120      # 2 minutes
#   TINYCDP_SOAK_RATE=5000 scripts/soak.sh   # ingest rate, messages/s in all (default 2,000)
# The test suite runs the same test for 60 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
dotnet build tests/TinyCdp.Storage.Sqlite.Tests -c Release -v q -nologo
TINYCDP_SOAK_SECONDS="$seconds" dotnet test tests/TinyCdp.Storage.Sqlite.Tests -c Release --no-build \
  --filter "FullyQualifiedName~SqliteSoakTests" --logger "console;verbosity=detailed" \
  | grep -E '^ +[0-9]+, |seconds,|target ingest rate|total:|Test Run|Total tests|Passed:|Failed:|Error Message|Assert' || true
