#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster: initdb in a temporary folder, a server on a
# free loopback port, its URL in EXTRIAGE_TEST_POSTGRES_URL; the server is stopped and the folder
# removed when the command ends, also when it fails. As root, the cluster runs as the `postgres`
# user (or `nobody`): PostgreSQL refuses to run as root.
# Usage: scripts/with-postgres.sh command [args...]
# With EXTRIAGE_TEST_POSTGRES_URL already set, runs the command against that server instead.
set -euo pipefail

if [ -n "${EXTRIAGE_TEST_POSTGRES_URL:-}" ]; then exec "$@"; fi

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server (run scripts/install-deps.sh)" >&2
  exit 1
fi

as_user=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id postgres >/dev/null 2>&1 || owner=nobody
  as_user=(runuser -u "$owner" --)
fi

dir="$(mktemp -d /tmp/extriage-pg.XXXXXX)"
chown "$owner" "$dir" 2>/dev/null || true
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U extriage --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export EXTRIAGE_TEST_POSTGRES_URL="postgresql://extriage@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $EXTRIAGE_TEST_POSTGRES_URL" >&2
"$@"
