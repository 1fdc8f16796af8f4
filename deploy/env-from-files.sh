#!/bin/sh
# sensormesh-env-from-files COMMAND [ARGS...]
#
# Fills secrets from files that another service on this device writes on first boot, then
# runs COMMAND. For every variable NAME_FILE that is set while NAME is not, it waits for the
# file and exports NAME with the file's content (the Docker secrets convention). A NAME set
# directly (a balena device variable on a sensor node) always wins and nothing is waited for.
#
# Two more waits, both for files the collector's broker writes on first boot:
# - MQTT_CA_CERT, when it is an absolute path;
# - with MQTT_PASSWORD_DIR and no MQTT_PASSWORD, the file named after the MQTT user, which
#   is resolved as the publisher does: MQTT_USERNAME, else DEVICE_NAME, else
#   BALENA_DEVICE_NAME_AT_INIT, else the host name. That is how the collector's own
#   publisher finds its password without its name being written into the compose file.
set -eu

[ "$#" -gt 0 ] || { echo "sensormesh-env-from-files: no command given" >&2; exit 2; }

wait_for_file() { # wait_for_file PATH WHAT
  if [ ! -s "$1" ]; then
    echo "sensormesh-env-from-files: waiting for $1 ($2; the collector writes it on first boot)" >&2
    while [ ! -s "$1" ]; do sleep 1; done
  fi
}

# NAME__FILE (double underscore) is Grafana's own convention and is left alone.
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*[A-Za-z0-9]\)_FILE=.*/\1/p'); do
  eval "direct=\${$name:-}"
  eval "path=\${${name}_FILE}"
  # shellcheck disable=SC2154 # both are assigned by the evals above
  if [ -z "$direct" ] && [ -n "$path" ]; then
    wait_for_file "$path" "$name"
    value=$(cat "$path")
    export "$name=$value"
  fi
  unset "${name}_FILE"
done

if [ -z "${MQTT_PASSWORD:-}" ] && [ -n "${MQTT_PASSWORD_DIR:-}" ]; then
  user="${MQTT_USERNAME:-${DEVICE_NAME:-${BALENA_DEVICE_NAME_AT_INIT:-$(uname -n)}}}"
  wait_for_file "$MQTT_PASSWORD_DIR/$user" \
    "MQTT_PASSWORD for $user: on a sensor node set it as a device variable"
  MQTT_PASSWORD=$(cat "$MQTT_PASSWORD_DIR/$user")
  export MQTT_PASSWORD
fi
unset MQTT_PASSWORD_DIR

case "${MQTT_CA_CERT:-}" in
  /*) wait_for_file "$MQTT_CA_CERT" "MQTT_CA_CERT" ;;
esac

exec "$@"
