"""The node's status message carries what its sensors declare and how they are doing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from publisher.app import Publisher
from publisher.config import load_publisher_config
from publisher.sensors.base import DriverSpec, FieldSpec, SensorConfig, SensorError
from sensormesh.contract import decode_status


class _Broken:
    def read(self) -> dict[str, float]:
        raise SensorError("checksum mismatch")

    def close(self) -> None:
        return None


BROKEN = DriverSpec(
    kind="broken",
    summary="always fails",
    fields=(FieldSpec("level", "%", None, "fill level"),),
    open=lambda options, hardware: _Broken(),
)


def test_status_reports_units_misses_and_seq_continues(tmp_path: Path, ca_cert: Path) -> None:
    env = {
        "DEVICE_NAME": "node-1",
        "MQTT_HOST": "localhost",
        "MQTT_PASSWORD": "pw",
        "MQTT_CA_CERT": str(ca_cert),
        "SENSORS": "mock",
        "BUFFER_PATH": str(tmp_path / "outbox.sqlite"),
    }
    config = load_publisher_config(env)
    broken = SensorConfig("tank", BROKEN, {"name": "tank"})
    publisher = Publisher(replace(config, sensors=(*config.sensors, broken)))
    for _ in range(3):
        publisher.record(publisher.sample_all())
    status = decode_status(publisher.status().to_payload(), publisher.status().ts_ns or 0)
    assert status.sensors["mock"]["temperature"] == "°C"
    assert status.sensors["tank"] == {"level": "%"}
    assert dict(status.misses) == {"mock": 0, "tank": 3}
    assert len(publisher.outbox) == 3 and publisher.outbox.next_seqs() == {"mock": 3}
    publisher.outbox.close()
