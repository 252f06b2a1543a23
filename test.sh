#!/usr/bin/env bash
# Runs every test: unit, store, server, dashboard and end-to-end. The PostgreSQL tests need a
# server on 127.0.0.1 and the dashboard test needs headless Chromium; when BATCHBUILD_TEST_POSTGRES
# or BATCHBUILD_TEST_CHROMIUM do not name them, this script installs what is missing (Debian or
# Ubuntu, as root), starts PostgreSQL and creates a role that may create databases.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[[ -z "${BATCHBUILD_TEST_POSTGRES:-}" ]] && ! command -v pg_ctlcluster >/dev/null && missing+=(postgresql)
[[ -z "${BATCHBUILD_TEST_CHROMIUM:-}" ]] && ! command -v chromium >/dev/null && missing+=(chromium)
if (( ${#missing[@]} )); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ -z "${BATCHBUILD_TEST_POSTGRES:-}" ]]; then
  cluster=$(pg_lsclusters --no-header | head -n 1)
  if [[ -z "$cluster" ]]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    pg_createcluster "$version" main >/dev/null
    cluster=$(pg_lsclusters --no-header | head -n 1)
  fi
  read -r version name port _ <<<"$cluster"
  pg_ctlcluster "$version" "$name" start 2>/dev/null || true
  for _ in $(seq 30); do
    pg_isready -h 127.0.0.1 -p "$port" -q && break
    sleep 1
  done
  runuser -u postgres -- psql -p "$port" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'batchbuild') THEN
    CREATE ROLE batchbuild LOGIN CREATEDB PASSWORD 'batchbuild';
  END IF;
END $$;
SQL
  export BATCHBUILD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=batchbuild;Password=batchbuild;Database=postgres"
fi

# Every test has a time limit: a test that runs 15 minutes without ending is named in the log
# and its test host killed, so that a hang fails the run instead of holding it until CI gives up.
dotnet test BatchBuild.sln --blame-hang-timeout 15m --blame-hang-dump-type none "$@"
