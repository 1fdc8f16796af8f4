#!/bin/bash
# Runs once, right after the image's first-time setup, with the influx CLI already logged in
# as the admin (the image's entrypoint runs /docker-entrypoint-initdb.d/*.sh then).
#
# - InfluxQL: map database "sensormesh", retention policy "autogen" to the bucket, so Grafana's
#   InfluxQL datasource reads InfluxDB 2.x the same way it reads 1.8.
# - Tokens: one that can only write the bucket (the bridge), one that can only read it
#   (Grafana), written to the volume those two services mount.
set -euo pipefail

TOKENS=/run/sensormesh/influx
org="$DOCKER_INFLUXDB_INIT_ORG"
bucket_id="${DOCKER_INFLUXDB_INIT_BUCKET_ID:-}"
if [ -z "$bucket_id" ]; then
  bucket_id=$(influx bucket list --org "$org" --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | cut -f1)
fi

influx v1 dbrp create --org "$org" --db sensormesh --rp autogen --bucket-id "$bucket_id" --default

token_of() { # the "token" value of `influx auth create --json`
  sed -n 's/^[[:space:]]*"token":[[:space:]]*"\([^"]*\)".*/\1/p'
}

write_token() { # write_token NAME TOKEN
  [ -n "$2" ] || { echo "sensormesh init: could not create the $1 token" >&2; exit 1; }
  printf '%s' "$2" > "$TOKENS/$1.token.tmp"
  chmod 0644 "$TOKENS/$1.token.tmp"
  mv "$TOKENS/$1.token.tmp" "$TOKENS/$1.token"
  echo "sensormesh init: $1 token written to $TOKENS/$1.token"
}

mkdir -p "$TOKENS"
write_token bridge "$(influx auth create --org "$org" --write-bucket "$bucket_id" \
  --description "sensormesh bridge (write only)" --json | token_of)"
write_token grafana "$(influx auth create --org "$org" --read-bucket "$bucket_id" \
  --description "sensormesh grafana (read only)" --json | token_of)"
