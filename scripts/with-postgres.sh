#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb in a temporary directory, start on a
# free loopback port, export the connection settings, run the command, then stop and delete the cluster
# whatever the command's outcome. PostgreSQL refuses to run as root, so as root the cluster runs as the
# unprivileged 'postgres' user (created by the postgresql package).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found; run scripts/install-deps.sh" >&2; exit 1; }

runas=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  runas=(runuser -u postgres --)
fi

tmp=$(mktemp -d /tmp/quarry-pg.XXXXXX)
chmod 755 "$tmp"
[ ${#runas[@]} -gt 0 ] && chown postgres "$tmp"
data="$tmp/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cleanup() {
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"${runas[@]}" "$bindir/initdb" -D "$data" -U quarry --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
opts="-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
opts="$opts -c max_connections=300 -c shared_buffers=256MB -c max_wal_size=4GB -c autovacuum_naptime=10s -c log_min_messages=warning"
"${runas[@]}" "$bindir/pg_ctl" -D "$data" -o "$opts" -l "$tmp/server.log" -w start >/dev/null \
  || { cat "$tmp/server.log" >&2; exit 1; }

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=quarry PGDATABASE=postgres
export QUARRY_DATABASE_URL="postgresql://quarry@127.0.0.1:$port/postgres"
export QUARRY_TEST_PG_BINDIR="$bindir" QUARRY_TEST_PGDATA="$data"
export QUARRY_TEST_PG_RUNAS="${runas[*]:-}"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $data)" >&2

set +e
"$@"
status=$?
set -e
exit $status
