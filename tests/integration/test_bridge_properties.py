"""Property: whatever arrives on sensors/+/+, the bridge stays up and accounts for all of it.

Every valid reading among arbitrary topics and payloads is stored; every invalid message
reaches the dead-letter topic with a cause. The contract module is the oracle for which is
which; the bridge under test is the real process behind the real broker.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensormesh.contract import (
    DEADLETTER_TOPIC,
    InvalidMessage,
    Reading,
    decode_readings,
    encode_readings,
    parse_topic,
)
from sensormesh.localrun.mesh import VIEWER_USER, LocalMesh
from sensormesh.localrun.processes import ManagedProcess
from tests.support.mqtt import MqttTestClient
from tests.support.polling import wait_for
from tests.support.stored import stored_seqs

pytestmark = pytest.mark.integration

DEVICE = "node-a"
SENSOR_NAMES = st.one_of(
    st.sampled_from(["mock", "bmp280", "a-b_c", "x" * 64]),
    st.text("abcXYZ019_-. @", min_size=1, max_size=12),
)
FIELD_VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53)
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)


@dataclass
class Harness:
    mesh: LocalMesh
    bridge: ManagedProcess
    node: MqttTestClient
    letters: MqttTestClient
    seqs: Iterator[int]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    mesh = LocalMesh(Path(tmp_path_factory.mktemp("property")), [DEVICE]).start_servers()
    ca = mesh.broker_setup.certs.ca_cert
    node = MqttTestClient(mesh.broker.port, DEVICE, mesh.password(DEVICE), ca)
    letters = MqttTestClient(mesh.broker.port, VIEWER_USER, mesh.password(VIEWER_USER), ca)
    try:
        bridge = mesh.start_bridge(mesh.bridge_env(FLUSH_INTERVAL_S="0.1"))
        node.connect()
        letters.connect()
        letters.subscribe(DEADLETTER_TOPIC)
        yield Harness(mesh, bridge, node, letters, itertools.count())
    finally:
        node.close()
        letters.close()
        mesh.stop()


@st.composite
def messages(draw: st.DrawFn, seqs: Iterator[int]) -> tuple[str, bytes]:
    sensor = draw(SENSOR_NAMES)
    kind = draw(st.sampled_from(["valid", "valid-array", "bytes", "json", "broken-field"]))
    if kind.startswith("valid") or kind == "broken-field":
        count = draw(st.integers(2, 4)) if kind == "valid-array" else 1
        readings = [
            _reading(
                next(seqs),
                draw(
                    st.dictionaries(
                        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
                            lambda k: k != "seq"
                        ),
                        FIELD_VALUES,
                        min_size=1,
                        max_size=4,
                    )
                ),
            )
            for _ in range(count)
        ]
        body = encode_readings(readings)
        if kind == "broken-field":
            body = body.replace(
                b'"fields":{',
                b'"fields":{"bad":' + json.dumps(draw(JSON_VALUES)).encode() + b",",
                1,
            )
        return f"sensors/{DEVICE}/{sensor}", body
    if kind == "bytes":
        return f"sensors/{DEVICE}/{sensor}", draw(st.binary(max_size=64))
    return f"sensors/{DEVICE}/{sensor}", json.dumps(draw(JSON_VALUES)).encode()


def _reading(seq: int, fields: dict[str, float]) -> Reading:
    return Reading(time.time_ns() - 3_600_000_000_000 + seq * 1000, seq, fields)


def _expected_outcome(topic: str, payload: bytes) -> list[tuple[str, int]] | None:
    """Stored (sensor, seq) pairs for a valid message, None for an invalid one."""
    try:
        address = parse_topic(topic)
        readings = decode_readings(payload, time.time_ns())
    except InvalidMessage:
        return None
    if address.is_status:
        return None
    return [(address.sensor, r.seq) for r in readings]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_bridge_stores_every_valid_reading_and_dead_letters_the_rest(
    harness: Harness, data: st.DataObject
) -> None:
    batch = data.draw(st.lists(messages(harness.seqs), min_size=1, max_size=6))
    batch = [(topic, payload) for topic, payload in batch if not topic.endswith("/status")]
    letters_before = len(harness.letters.received.messages)
    expected_stored: set[tuple[str, str, int]] = set()
    expected_letters: list[bytes] = []
    for topic, payload in batch:
        harness.node.publish(topic, payload)
        outcome = _expected_outcome(topic, payload)
        if outcome is None:
            expected_letters.append(payload)
        else:
            expected_stored |= {(DEVICE, sensor, seq) for sensor, seq in outcome}

    letters = harness.letters.received.wait_for(letters_before + len(expected_letters))
    new_letters = [json.loads(m.payload) for m in letters[letters_before:]]
    assert sorted(_original(letter) for letter in new_letters) == sorted(expected_letters)
    assert all(letter["cause"] and letter["reason"] for letter in new_letters)
    wait_for(
        lambda: expected_stored <= set(stored_seqs(harness.mesh.influx)),
        "valid readings stored",
        timeout=30,
    )
    assert harness.bridge.running()


def _original(letter: dict[str, str]) -> bytes:
    if "payload" in letter:
        return letter["payload"].encode()
    import base64

    return base64.b64decode(letter["payload_base64"])
