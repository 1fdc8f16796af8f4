"""Sensor drivers: one module per driver, listed in ``registry.DRIVERS``."""
