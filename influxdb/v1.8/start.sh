#!/bin/sh
# sensormesh-influxdb (1.8): create database "sensormesh" on first boot and hand out tokens.
#
# InfluxDB 1.8 runs with authentication off, reachable only on the app's internal network
# (the compose file publishes no InfluxDB port). The bridge and Grafana still read a token
# file, as with 2.x, so their configuration is the same; 1.8 ignores the token.
set -eu

TOKENS=/run/sensormesh/influx
mkdir -p "$TOKENS"
for name in bridge grafana; do
  [ -s "$TOKENS/$name.token" ] || printf '%s' "sensormesh:auth-disabled" > "$TOKENS/$name.token"
done
chmod 0644 "$TOKENS"/*.token

export INFLUXDB_DB=sensormesh
export INFLUXDB_HTTP_AUTH_ENABLED=false
export INFLUXDB_REPORTING_DISABLED=true
exec /entrypoint.sh "$@"
