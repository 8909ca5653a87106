#!/usr/bin/env bash
# Quartiere: set up a local PostgreSQL 15 + PostGIS 3 server for development, CI and benchmarks.
#
#   bash infra/postgres/setup.sh                       # as root, or as a user with sudo
#   QUARTIERE_DB=mydb bash infra/postgres/setup.sh     # another database name (default: quartiere)
#   INSTALL_TEST_TOOLS=0 bash infra/postgres/setup.sh  # skip gdal-bin and chromium (a production server)
#
# By default it also installs what the test suite drives as real clients: gdal-bin (ogrinfo/ogr2ogr read the
# OGC API and the vector tiles) and chromium (the browser tests, through playwright-core).
#
# Idempotent: every step first checks whether it is needed, so running it again is cheap and changes
# nothing on a machine that is already set up. It never needs systemd (containers and CI have none) and
# never reads from stdin (CI runs without one).
#
# WARNING: it makes local TCP connections from 127.0.0.1 work for any user without a password (trust)
# when they do not work already. That is for development/CI machines only, never for production.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_HOST=127.0.0.1
PG_PORT=5432
DB_NAME="${QUARTIERE_DB:-quartiere}"
INSTALL_TEST_TOOLS="${INSTALL_TEST_TOOLS:-1}"
READY_TIMEOUT_S=30

# Settings for a test/bench server. Both need a restart, so they are only written when they differ.
# synchronous_commit is deliberately left at its default (on): benchmarks must measure durable commits.
WANT_MAX_CONNECTIONS=200
WANT_SHARED_BUFFERS=512MB

# apt's maintainer scripts and pg_createcluster pick the cluster locale from the environment; a locale that
# is set but not generated (common in containers and over ssh) makes cluster creation fail. C.UTF-8 is
# always present on Debian 12 and gives deterministic collation for tests.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# Never ask questions (no stdin in CI).
export DEBIAN_FRONTEND=noninteractive

log() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# --- privileges ---------------------------------------------------------------------------------------
# Root runs things directly; anyone else goes through sudo (non-interactive: fail rather than hang).
if [[ "${EUID}" -eq 0 ]]; then
  as_root() { "$@"; }
  # runuser is in util-linux (always on Debian) and, unlike su, needs no PAM session or login shell.
  as_postgres() { runuser -u postgres -- "$@"; }
else
  command -v sudo >/dev/null 2>&1 || die "run this script as root, or install sudo"
  # Let sudo ask for a password at a terminal; without one (CI, cron) fail at once instead of hanging.
  SUDO=(sudo)
  [[ -t 0 ]] || SUDO=(sudo -n)
  as_root() { "${SUDO[@]}" -- "$@"; }
  as_postgres() { "${SUDO[@]}" -u postgres -- "$@"; }
fi

# psql as the postgres OS user over the Unix socket: Debian's default pg_hba.conf lets it in by peer
# auth, whatever the TCP rules say, so this works even before TCP access is fixed.
# -X: ignore ~/.psqlrc; -w: never prompt for a password; ON_ERROR_STOP: fail on the first SQL error.
psql_admin() {
  as_postgres psql -X -w -q -v ON_ERROR_STOP=1 -p "${PG_PORT}" "$@"
}

# --- packages -----------------------------------------------------------------------------------------
# "dpkg -s" also succeeds for packages that were removed but left their config files behind, so look at
# the exact status instead.
pkg_installed() {
  local status
  status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
  [[ "${status}" == "install ok installed" ]]
}

APT_UPDATED=0
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    pkg_installed "${pkg}" || missing+=("${pkg}")
  done
  if [[ "${#missing[@]}" -eq 0 ]]; then
    log "already installed: $*"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian 12 (bookworm) only"
  # One "apt-get update" per run, only when something is actually going to be installed.
  if [[ "${APT_UPDATED}" -eq 0 ]]; then
    log "apt-get update"
    as_root apt-get update
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  as_root apt-get install -y --no-install-recommends "${missing[@]}"
}

apt_install "postgresql-${PG_VERSION}" "postgresql-${PG_VERSION}-postgis-3" "postgresql-client-${PG_VERSION}"
if [[ "${INSTALL_TEST_TOOLS}" == "1" ]]; then
  apt_install gdal-bin chromium
fi

for tool in pg_lsclusters pg_createcluster pg_ctlcluster pg_isready psql; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} not found after installing PostgreSQL"
done

# --- cluster ------------------------------------------------------------------------------------------
# The package's postinst normally creates 15/main, but not when create_main_cluster is off or the cluster
# was dropped.
cluster_line() { pg_lsclusters -h "${PG_VERSION}" "${PG_CLUSTER}" 2>/dev/null || true; }

if [[ -z "$(cluster_line)" ]]; then
  log "creating cluster ${PG_VERSION}/${PG_CLUSTER} on port ${PG_PORT}"
  as_root pg_createcluster --port "${PG_PORT}" "${PG_VERSION}" "${PG_CLUSTER}"
else
  log "cluster ${PG_VERSION}/${PG_CLUSTER} exists"
fi

# pg_lsclusters columns: version cluster port status owner data-directory log-file
read -r _ _ cluster_port _ _ _ cluster_log <<<"$(cluster_line)"
[[ "${cluster_port}" == "${PG_PORT}" ]] ||
  die "cluster ${PG_VERSION}/${PG_CLUSTER} listens on port ${cluster_port}, expected ${PG_PORT} (another server owns the port?)"

# As root: the status check reads postmaster.pid inside the data directory, which only postgres can read.
cluster_running() { as_root pg_ctlcluster "${PG_VERSION}" "${PG_CLUSTER}" status >/dev/null 2>&1; }

show_log_tail() {
  if [[ -n "${cluster_log:-}" ]] && as_root test -r "${cluster_log}"; then
    printf -- '--- last lines of %s ---\n' "${cluster_log}" >&2
    as_root tail -n 30 "${cluster_log}" >&2 || true
  fi
}

wait_ready() {
  local i
  for ((i = 0; i < READY_TIMEOUT_S; i++)); do
    if pg_isready -q -h "${PG_HOST}" -p "${PG_PORT}"; then
      return 0
    fi
    sleep 1
  done
  show_log_tail
  die "PostgreSQL is not accepting connections on ${PG_HOST}:${PG_PORT} after ${READY_TIMEOUT_S}s"
}

# --skip-systemctl-redirect: start the server directly instead of asking systemd (absent in containers/CI).
start_cluster() {
  if cluster_running; then
    log "cluster ${PG_VERSION}/${PG_CLUSTER} is running"
    return 0
  fi
  log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
  # "Cluster is already running" (exit 2) can happen if something else started it in the meantime; only a
  # cluster that is still down afterwards is an error.
  as_root pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" "${PG_CLUSTER}" start || true
  if ! cluster_running; then
    show_log_tail
    die "could not start cluster ${PG_VERSION}/${PG_CLUSTER}"
  fi
}

start_cluster
wait_ready
log "PostgreSQL is accepting connections on ${PG_HOST}:${PG_PORT}"

# --- password-less TCP access for development/CI ------------------------------------------------------
tcp_login_works() {
  PGCONNECT_TIMEOUT=5 psql -X -w -q -h "${PG_HOST}" -p "${PG_PORT}" -U postgres -d postgres -tAc 'select 1' \
    >/dev/null 2>&1
}

HBA_LINE="host all all ${PG_HOST}/32 trust"
HBA_MARK="# Added by quartiere infra/postgres/setup.sh: password-less local TCP, for development/CI only"

if tcp_login_works; then
  log "TCP login as postgres@${PG_HOST}:${PG_PORT} works"
else
  hba_file="$(psql_admin -tA -c 'show hba_file')"
  [[ -n "${hba_file}" ]] || die "could not find pg_hba.conf"
  if as_root grep -qxF "${HBA_LINE}" "${hba_file}"; then
    die "'${HBA_LINE}' is already in ${hba_file} but 'psql -h ${PG_HOST} -U postgres' still fails; check listen_addresses and the server log"
  fi
  echo
  echo "!! DEVELOPMENT/CI ONLY: adding '${HBA_LINE}' to ${hba_file}"
  echo "!! Anyone on this machine can then connect to PostgreSQL as any user without a password."
  echo "!! Never run this script on a production server."
  echo
  # pg_hba.conf is first-match-wins, so the rule goes before the first existing rule (after the header
  # comments). Rewrite in place with cat so the file keeps its owner and mode; keep one backup.
  tmp="$(mktemp)"
  trap 'rm -f "${tmp}"' EXIT
  as_root cat "${hba_file}" | awk -v mark="${HBA_MARK}" -v line="${HBA_LINE}" '
    !done && $0 !~ /^[[:space:]]*(#|$)/ { print mark; print line; print ""; done = 1 }
    { print }
    END { if (!done) { print mark; print line } }
  ' >"${tmp}"
  as_root test -e "${hba_file}.quartiere.bak" || as_root cp -p "${hba_file}" "${hba_file}.quartiere.bak"
  as_root tee "${hba_file}" <"${tmp}" >/dev/null
  rm -f "${tmp}"
  trap - EXIT
  psql_admin -tA -c 'select pg_reload_conf()' >/dev/null
  # The reload is asynchronous: give the postmaster a moment to re-read the file.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    tcp_login_works && break
    sleep 0.5
  done
  tcp_login_works || die "TCP login as postgres@${PG_HOST}:${PG_PORT} still fails after editing ${hba_file}"
  log "TCP login as postgres@${PG_HOST}:${PG_PORT} works now"
fi

# --- server settings ----------------------------------------------------------------------------------
# Compare the values in force (not the config files): a value written by ALTER SYSTEM but never applied
# because a restart failed is then written and applied again on the next run.
need_restart=0

current_max_connections="$(psql_admin -tA -c 'show max_connections')"
if [[ "${current_max_connections}" != "${WANT_MAX_CONNECTIONS}" ]]; then
  log "max_connections: ${current_max_connections} -> ${WANT_MAX_CONNECTIONS} (restart needed)"
  psql_admin -c "alter system set max_connections = ${WANT_MAX_CONNECTIONS}"
  need_restart=1
fi

# Compare in bytes: SHOW prints "512MB", "128MB", "1GB"... depending on the value.
shared_buffers_ok="$(psql_admin -tA -c \
  "select pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes('${WANT_SHARED_BUFFERS}')")"
if [[ "${shared_buffers_ok}" != "t" ]]; then
  log "shared_buffers: $(psql_admin -tA -c 'show shared_buffers') -> ${WANT_SHARED_BUFFERS} (restart needed)"
  psql_admin -c "alter system set shared_buffers = '${WANT_SHARED_BUFFERS}'"
  need_restart=1
fi

synchronous_commit="$(psql_admin -tA -c 'show synchronous_commit')"
if [[ "${synchronous_commit}" != "on" ]]; then
  warn "synchronous_commit is '${synchronous_commit}' on this server; Quartiere's benchmarks expect 'on'"
fi

if [[ "${need_restart}" -eq 1 ]]; then
  log "restarting cluster ${PG_VERSION}/${PG_CLUSTER} to apply settings"
  if ! as_root pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" "${PG_CLUSTER}" restart; then
    show_log_tail
    die "restart of cluster ${PG_VERSION}/${PG_CLUSTER} failed"
  fi
  wait_ready
else
  log "server settings already as wanted (max_connections=${WANT_MAX_CONNECTIONS}, shared_buffers=${WANT_SHARED_BUFFERS})"
fi

# --- database and PostGIS -----------------------------------------------------------------------------
# The migrations create the extension themselves; what matters here is that PostGIS is *available* on the
# server. Creating it in the app database also proves the installed package actually loads.
available="$(psql_admin -tA -c "select count(*) from pg_available_extensions where name = 'postgis'")"
[[ "${available}" == "1" ]] || die "the postgis extension is not available on this server (postgresql-${PG_VERSION}-postgis-3 installed?)"

# psql variables (:'db', %I) quote the name safely; \gexec runs the CREATE only when the database is missing.
psql_admin -d postgres -v db="${DB_NAME}" <<'SQL'
select format('create database %I', :'db')
where not exists (select 1 from pg_database where datname = :'db')
\gexec
SQL
psql_admin -d "${DB_NAME}" -c 'set client_min_messages = warning' -c 'create extension if not exists postgis'
postgis_version="$(psql_admin -d "${DB_NAME}" -tA -c 'select postgis_lib_version()')"
log "database '${DB_NAME}' is ready with PostGIS ${postgis_version}"

echo
echo "PostgreSQL ${PG_VERSION} + PostGIS is ready. Use:"
echo "  export DATABASE_URL=postgres://postgres@${PG_HOST}:${PG_PORT}/${DB_NAME}"
echo "  export TEST_DATABASE_URL=postgres://postgres@${PG_HOST}:${PG_PORT}/postgres   # for pnpm test"
