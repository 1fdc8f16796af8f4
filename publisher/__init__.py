"""The node service: reads sensors on a schedule and publishes readings over TLS."""
