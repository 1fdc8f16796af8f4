#!/bin/bash
# Sourced by the 1.8 image's init-influxdb.sh on first boot, with influxd running and
# $INFLUX_CMD set to an `influx -execute` command line for it.
# shellcheck disable=SC2154 # INFLUX_CMD comes from the image's init script
$INFLUX_CMD "ALTER RETENTION POLICY \"autogen\" ON \"sensormesh\" DURATION ${INFLUX_RETENTION:-90d} DEFAULT"
