#!/bin/sh
# sensormesh-grafana: make sure the admin account never has Grafana's default password, then
# start Grafana with the image's own start script.
#
# GRAFANA_ADMIN_PASSWORD (a balena variable) sets it; left unset, a random one is generated
# once and kept in Grafana's volume, where `cat` shows it (docs/deploy.md). Grafana applies
# the admin password only when it creates its database, i.e. on first boot.
set -eu

if [ -n "${GRAFANA_ADMIN_PASSWORD:-}" ]; then
  export GF_SECURITY_ADMIN_PASSWORD="$GRAFANA_ADMIN_PASSWORD"
else
  generated=/var/lib/grafana/sensormesh-admin-password
  if [ ! -s "$generated" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 > "$generated")
    echo "sensormesh-grafana: generated the admin password; read it with: cat $generated" >&2
  fi
  export GF_SECURITY_ADMIN_PASSWORD__FILE="$generated"
fi
unset GRAFANA_ADMIN_PASSWORD

exec /run.sh "$@"
