#!/bin/sh
# sensormesh-influxdb: set up InfluxDB 2.x on first boot with no secret in the compose file,
# then hand over to the image's own entrypoint.
#
# The image's entrypoint runs its first-time setup from DOCKER_INFLUXDB_INIT_* variables. The
# admin password and token are generated here once and kept in the config volume (the image
# reads the *_FILE variants), so nothing secret is committed or typed into a dashboard. The
# bucket keeps INFLUX_RETENTION (default 90d). After setup, init/sensormesh.sh creates the
# InfluxQL mapping and the bridge's write token and Grafana's read token.
set -eu

SECRETS=/etc/influxdb2/sensormesh
TOKENS=/run/sensormesh/influx

new_secret() { # new_secret FILE: 32 random URL-safe characters, created once
  if [ ! -s "$1" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$1")
  fi
}

mkdir -p "$SECRETS" "$TOKENS"
new_secret "$SECRETS/admin-password"
new_secret "$SECRETS/admin-token"

export DOCKER_INFLUXDB_INIT_MODE=setup
export DOCKER_INFLUXDB_INIT_USERNAME="${DOCKER_INFLUXDB_INIT_USERNAME:-admin}"
export DOCKER_INFLUXDB_INIT_PASSWORD_FILE="$SECRETS/admin-password"
export DOCKER_INFLUXDB_INIT_ADMIN_TOKEN_FILE="$SECRETS/admin-token"
export DOCKER_INFLUXDB_INIT_ORG="${INFLUX_ORG:-sensormesh}"
# Named db/rp so the same name works with InfluxDB 1.8's v2 write API (32-bit override).
export DOCKER_INFLUXDB_INIT_BUCKET="${INFLUX_BUCKET:-sensormesh/autogen}"
export DOCKER_INFLUXDB_INIT_RETENTION="${INFLUX_RETENTION:-90d}"

# The image's entrypoint drops to the influxdb user; the init script writes the tokens there.
chown -R influxdb:influxdb "$SECRETS" "$TOKENS" 2>/dev/null || true

exec /entrypoint.sh "$@"
