#!/usr/bin/env bash
# Make sure a PostgreSQL server answers and that the current user may create
# databases on it. With PGHOST set, that server is used as given; otherwise the
# local Debian cluster is installed/started and a superuser role is created for
# the current user. Prints nothing on stdout; idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ -n "${PGHOST:-}" ]]; then
    psql -d postgres -Atc "select 1" >/dev/null \
        || die "cannot reach PostgreSQL at PGHOST=$PGHOST (PGPORT=${PGPORT:-5432}, PGUSER=${PGUSER:-$USER})"
    exit 0
fi

me="$(id -un)"
if psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    exit 0
fi

sudo=""
[[ $EUID -eq 0 ]] || sudo="sudo"
as_postgres() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
if ! command -v pg_lsclusters >/dev/null; then
    log "Installing PostgreSQL (Debian package)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
cluster="$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')"
[[ -n "$cluster" ]] || die "no PostgreSQL cluster found (pg_lsclusters is empty)"
# shellcheck disable=SC2086
if ! pg_lsclusters -h | awk 'NR==1 {print $4}' | grep -q online; then
    log "Starting PostgreSQL cluster $cluster"
    $sudo pg_ctlcluster $cluster start
fi
for _ in $(seq 1 30); do
    as_postgres psql -d postgres -Atc "select 1" >/dev/null 2>&1 && break
    sleep 1
done
if ! as_postgres psql -d postgres -Atc "select 1 from pg_roles where rolname='$me'" | grep -q 1; then
    log "Creating PostgreSQL superuser role $me"
    as_postgres createuser --superuser "$me"
fi
psql -d postgres -Atc "select 1" >/dev/null || die "PostgreSQL still not reachable as $me"
