#!/bin/sh
# sensormesh-rolegate SERVICE COMMAND [ARGS...]
#
# Runs COMMAND only on the devices this service is meant for; elsewhere it idles.
#
# balena has no per-device services: every device of a fleet runs every service of the
# release, and a container that exits is restarted. So a service that is not for this device
# must stay up doing nothing, quietly. The service runs when
#   - BALENA_DEVICE_NAME_AT_INIT is listed in RUN_ON_DEVICES (a service variable), or
#   - one of the roles in DEVICE_ROLE (a device variable) is listed in RUN_ON_ROLES (set per
#     service in docker-compose.yml), or
#   - neither rule is configured, so `docker compose up` on one host runs everything.
# Lists are separated by commas and/or spaces.
set -eu
set -f # list items are words, never file globs

service="${1:?usage: sensormesh-rolegate SERVICE COMMAND [ARGS...]}"
shift
[ "$#" -gt 0 ] || { echo "sensormesh-rolegate: no command given for $service" >&2; exit 2; }

devices="${RUN_ON_DEVICES:-}"
roles="${RUN_ON_ROLES:-}"
device_roles="${DEVICE_ROLE:-}"
name="${BALENA_DEVICE_NAME_AT_INIT:-}"

in_list() { # in_list WORD LIST: is WORD one of LIST's items?
  for item in $(printf '%s' "$2" | tr ',' ' '); do
    [ "$item" = "$1" ] && return 0
  done
  return 1
}

any_in_list() { # any_in_list WORDS LIST: is any of WORDS one of LIST's items?
  for word in $(printf '%s' "$1" | tr ',' ' '); do
    in_list "$word" "$2" && return 0
  done
  return 1
}

reason=""
if [ -n "$devices" ] && [ -n "$name" ] && in_list "$name" "$devices"; then
  reason="device $name is in RUN_ON_DEVICES"
elif [ -n "$device_roles" ] && [ -n "$roles" ] && any_in_list "$device_roles" "$roles"; then
  reason="DEVICE_ROLE=$device_roles matches RUN_ON_ROLES=$roles"
elif [ -z "$devices" ] && { [ -z "$device_roles" ] || [ -z "$roles" ]; }; then
  reason="no RUN_ON_DEVICES and no DEVICE_ROLE rule: running everywhere"
fi

if [ -n "$reason" ]; then
  echo "sensormesh-rolegate: starting $service ($reason)" >&2
  exec "$@"
fi

# Idle until stopped. The signal may land at any point: between starting a sleep and noting
# its pid (so the flag is checked again after each start), or before the forked child has
# become `sleep` and still carries this trap (so the sleep gets SIGKILL, which no handler
# can swallow). The sleep is reaped before exiting: nothing is left behind.
stopping=""
sleeper=""
# shellcheck disable=SC2329 # invoked by the trap below
stop() {
  stopping=1
  if [ -n "$sleeper" ]; then kill -KILL "$sleeper" 2>/dev/null || true; fi
}
trap stop TERM INT HUP
echo "sensormesh-rolegate: $service is not for this device" \
  "(name '${name:-unset}', DEVICE_ROLE '${device_roles:-unset}';" \
  "RUN_ON_DEVICES '${devices:-unset}', RUN_ON_ROLES '${roles:-unset}'): idling" >&2
while [ -z "$stopping" ]; do
  sleep 3600 &
  sleeper=$!
  if [ -n "$stopping" ]; then kill -KILL "$sleeper" 2>/dev/null || true; fi
  wait "$sleeper" || true
done
wait "$sleeper" 2>/dev/null || true
exit 0
