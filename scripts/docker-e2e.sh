#!/usr/bin/env bash
# Opt-in end-to-end test of the docker[:IMAGE] provider (not part of `npm test`).
#
# Sets up a private Docker engine on this machine, builds a PostgreSQL image without any
# registry, runs test/docker against it, and stops the engine again by its PID:
#   - installs docker.io and debootstrap with apt when they are missing (needs root);
#   - starts dockerd with its own --data-root/--exec-root/socket under $PGSPEC_DOCKER_DIR
#     (default /tmp/pgspec-docker), with no bridge network, no iptables, no masquerading:
#     containers use host networking and servers listen on 127.0.0.1 only;
#   - builds local/postgres:15 (Debian bookworm's postgresql-15, debootstrap'ed) unless the
#     engine already has it (the engine's data root is kept between runs);
#   - runs `npx vitest run test/docker` with DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true,
#     TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 and PGSPEC_DOCKER_IMAGE set;
#   - on exit removes every container of that engine and stops dockerd (kill PID, wait).
#
# Usage: bash scripts/docker-e2e.sh [extra vitest arguments]
# PGSPEC_DOCKER_IMAGE=IMAGE tests another image already present in the engine (nothing is
# built then); PGSPEC_DOCKER_REBUILD=1 imports local/postgres:15 again from the cached root
# file system ($PGSPEC_DOCKER_DIR/rootfs; delete it to debootstrap again).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DIR="${PGSPEC_DOCKER_DIR:-/tmp/pgspec-docker}"
LOCAL_IMAGE=local/postgres:15
IMAGE="${PGSPEC_DOCKER_IMAGE:-$LOCAL_IMAGE}"
SOCK="$DIR/docker.sock"
START=$SECONDS

say() { printf '[docker-e2e %3ss] %s\n' "$((SECONDS - START))" "$*"; }

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

# --- 1. packages -----------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing ${missing[*]} with apt"
  apt-get update -qq
  # The install must not start a system dockerd (with a bridge network): deny service starts.
  policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [[ -z "$policy" ]] || rm -f "$policy"
fi

# --- 2. a private dockerd --------------------------------------------------------------------
if [[ -f "$DIR/dockerd.pid" ]] && kill -0 "$(cat "$DIR/dockerd.pid")" 2>/dev/null; then
  echo "a dockerd from an earlier run is still running (PID $(cat "$DIR/dockerd.pid")); stop it with: kill $(cat "$DIR/dockerd.pid")" >&2
  exit 1
fi
rm -f "$SOCK" "$DIR/dockerd.pid"
mkdir -p "$DIR/data" "$DIR/exec"
export DOCKER_HOST="unix://$SOCK"

DOCKERD_PID=
cleanup() {
  local status=$?
  set +e
  if [[ -n "$DOCKERD_PID" ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    local left
    left="$(docker ps -aq 2>/dev/null)"
    if [[ -n "$left" ]]; then
      say "removing containers left behind: $(echo "$left" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      docker rm -f -v $left >/dev/null 2>&1
    fi
    say "stopping dockerd (PID $DOCKERD_PID)"
    kill "$DOCKERD_PID"
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  # dockerd leaves its default network namespace mounted under the exec root.
  awk -v dir="$DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount 2>/dev/null
  rm -f "$SOCK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting dockerd (data root $DIR/data, socket $SOCK, log $DIR/dockerd.log)"
dockerd \
  --data-root "$DIR/data" \
  --exec-root "$DIR/exec" \
  --pidfile "$DIR/dockerd.pid" \
  -H "unix://$SOCK" \
  --bridge=none --iptables=false --ip-masq=false \
  >"$DIR/dockerd.log" 2>&1 &
DOCKERD_PID=$!

for _ in $(seq 1 120); do
  if docker version >/dev/null 2>&1; then break; fi
  if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
    DOCKERD_PID=
    echo "dockerd exited; the end of $DIR/dockerd.log:" >&2
    tail -n 20 "$DIR/dockerd.log" >&2
    exit 1
  fi
  sleep 0.5
done
docker version >/dev/null || { echo "dockerd did not answer on $SOCK within 60 s" >&2; exit 1; }
say "dockerd $(docker version --format '{{.Server.Version}}') is up (PID $DOCKERD_PID, storage driver $(docker info --format '{{.Driver}}'))"

# --- 3. local/postgres:15, built without a registry ------------------------------------------
build_image() {
  local rootfs="$DIR/rootfs"
  if [[ ! -f "$rootfs/.pgspec-complete" ]]; then
    say "debootstrap bookworm with postgresql-15 into $rootfs (takes a minute or two)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=postgresql-15 bookworm "$rootfs" http://deb.debian.org/debian \
      >"$DIR/debootstrap.log" 2>&1 || { tail -n 20 "$DIR/debootstrap.log" >&2; exit 1; }
    touch "$rootfs/.pgspec-complete"
  fi
  # The entrypoint takes what the official image takes: POSTGRES_USER, POSTGRES_PASSWORD,
  # POSTGRES_DB, and `postgres ARGS` (or just ARGS) as the command.
  cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -eu
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
case "${1:-postgres}" in -*) set -- postgres "$@" ;; esac
[ "$#" -gt 0 ] || set -- postgres
if [ "$1" != postgres ]; then exec "$@"; fi
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
shift
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
  user="${POSTGRES_USER:-postgres}"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  # Like the official image: a setup server on the Unix socket only (it too prints "ready to
  # accept connections"), used to create POSTGRES_DB, then the real server.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  db="${POSTGRES_DB:-$user}"
  if [ "$db" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -h /run/postgresql -p 5432 -U "$user" -d postgres -qc "CREATE DATABASE \"$db\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "initdb done for user $user"
fi
exec postgres -D "$PGDATA" "$@"
ENTRYPOINT
  chmod 755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
  say "importing $rootfs as $LOCAL_IMAGE"
  docker image rm -f "$LOCAL_IMAGE" >/dev/null 2>&1 || true
  tar -C "$rootfs" --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude=./.pgspec-complete \
    --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
    --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' -c . |
    docker import \
      -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'ENV PGDATA=/var/lib/postgresql/data' \
      -c 'ENV LANG=C.UTF-8' \
      -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
      -c 'CMD ["postgres"]' \
      - "$LOCAL_IMAGE" >/dev/null
}

if [[ "$IMAGE" == "$LOCAL_IMAGE" ]]; then
  if [[ "${PGSPEC_DOCKER_REBUILD:-}" != 1 ]] && docker image inspect "$LOCAL_IMAGE" >/dev/null 2>&1; then
    say "$LOCAL_IMAGE is already in the engine"
  else
    build_image
    say "built $LOCAL_IMAGE ($(docker image inspect --format '{{.Size}}' "$LOCAL_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
  fi
fi

# --- 4. the docker tests ---------------------------------------------------------------------
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export PGSPEC_DOCKER_IMAGE="$IMAGE"
say "setup done; running the docker tests with $IMAGE"
status=0
npx vitest run test/docker "$@" || status=$?
say "vitest finished with status $status"
exit "$status"
