#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD against a throwaway PostgreSQL 15: a fresh cluster in a temporary directory,
# listening on 127.0.0.1 only (free port), trust authentication, database todo_test.
# CMD sees TODO_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/todo_test. The server
# is stopped and the directory removed however CMD ends; the exit status is CMD's.
#
# fsync stays on, like production. TODO_PG_FAST=1 turns off fsync, synchronous_commit and
# full_page_writes for speed (the data is thrown away anyway).
# PG_BIN overrides the server binaries' directory.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: $PG_BIN/initdb not found (apt-get install postgresql-15)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root, run the server as the postgres OS user.
as_pg() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
  fi
}
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "with-postgres: running as root needs the postgres OS user (installed with postgresql-15)" >&2
  exit 1
fi

# A port nobody listens on now. Another process may still take it before the server
# binds, so startup below retries with a new port.
free_port() {
  if command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null; then
    return
  fi
  if command -v node >/dev/null 2>&1 &&
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null; then
    return
  fi
  echo $((20000 + RANDOM % 40000))
}

dir=$(mktemp -d /tmp/todo-pg.XXXXXXXXXX)
data="$dir/data"
log="$dir/postgres.log"
started=0
child=""

# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  # Also when startup "failed" on the timeout but the server came up after all.
  if [ "$started" -eq 1 ] || [ -f "$data/postmaster.pid" ]; then
    # immediate: no checkpoint, the cluster is deleted right after.
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$dir"
  exit "$status"
}
trap cleanup EXIT
# Ctrl-C / kill: exit with the conventional status, which runs the EXIT trap (and that
# stops CMD first).
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
chmod 700 "$dir"

initdb_args=(-D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8)
[ "${TODO_PG_FAST:-0}" != 1 ] || initdb_args+=(--no-sync)
if ! as_pg "$PG_BIN/initdb" "${initdb_args[@]}" >"$dir/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2
  tail -n 30 "$dir/initdb.log" >&2
  exit 1
fi

{
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$dir'"
  echo "max_connections = 200"
  if [ "${TODO_PG_FAST:-0}" = 1 ]; then
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
  fi
} >>"$data/postgresql.conf"

port=""
for _ in 1 2 3 4 5; do
  port=$(free_port)
  if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >"$dir/pg_ctl.out" 2>&1; then
    started=1
    break
  fi
  # Taken between the bind test and the server's bind: try another port; anything else
  # will not get better by retrying.
  grep -q "could not bind\|Address already in use" "$log" 2>/dev/null || break
done
if [ "$started" -ne 1 ]; then
  echo "with-postgres: PostgreSQL did not start; pg_ctl said, then the tail of the server log:" >&2
  cat "$dir/pg_ctl.out" >&2
  tail -n 30 "$log" >&2 2>/dev/null || true
  exit 1
fi

# ICU en-US when available, so that code relying on byte order (COLLATE "C") is tested
# against a database whose default collation is not byte order, as in production.
createdb() {
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$@" todo_test
}
if ! createdb -T template0 --locale-provider=icu --icu-locale=en-US >>"$log" 2>&1 &&
  ! createdb >>"$log" 2>&1; then
  echo "with-postgres: createdb failed; tail of the server log (removed on exit):" >&2
  tail -n 30 "$log" >&2
  exit 1
fi

export TODO_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/todo_test"
mode="fsync on"
[ "${TODO_PG_FAST:-0}" != 1 ] || mode="TODO_PG_FAST: fsync off"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$port" \
  "($mode, data in $dir)" >&2

# In the background so that a signal to this script is handled at once (bash defers traps
# while a foreground command runs); the explicit <&0 keeps CMD's stdin.
set +e
"$@" <&0 &
child=$!
wait "$child"
status=$?
child=""
set -e
exit "$status"
