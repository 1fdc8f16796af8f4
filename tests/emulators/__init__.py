"""Register-level emulators of the sensor chips, so unmodified Adafruit drivers run in CI.

See README.md in this folder for how to write one for a new sensor.
"""
