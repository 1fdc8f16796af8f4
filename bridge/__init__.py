"""The collector service: MQTT readings into InfluxDB, acknowledged only after the write."""
