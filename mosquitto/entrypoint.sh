#!/bin/sh
# sensormesh-broker: first-boot certificates and users, then Mosquitto in the foreground.
#
# Runs as root so it can hand the files to the mosquitto user, which the broker drops to
# (`user mosquitto` in mosquitto.conf). The CA key stays root-only: the broker never needs it.
set -eu

CERTS=/mosquitto/certs
CONFIG=/mosquitto/config
DATA=/mosquitto/data

mkdir -p "$CERTS" "$CONFIG" "$DATA"
python3 -m sensormesh.deploy.firstboot --certs-dir "$CERTS" --config-dir "$CONFIG" \
  --shared-dir /run/sensormesh/mqtt

chown -R mosquitto:mosquitto "$CONFIG" "$DATA"
chmod 0600 "$CONFIG/passwd" "$CONFIG/acl"
chown root:mosquitto "$CERTS/server.key"
chmod 0640 "$CERTS/server.key"
chmod 0600 "$CERTS/ca.key"

exec mosquitto -c /etc/mosquitto/sensormesh.conf
