"""docs/mqtt.md describes what sensormesh/contract.py and the bridge actually do."""

from __future__ import annotations

import re
from pathlib import Path

from sensormesh import contract

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "mqtt.md").read_text()


def _causes_in_code() -> set[str]:
    sources = [*ROOT.joinpath("sensormesh").rglob("*.py"), *ROOT.joinpath("bridge").rglob("*.py")]
    pattern = re.compile(r'InvalidMessage\(\s*"([a-z_]+)"')
    return {cause for path in sources for cause in pattern.findall(path.read_text())}


def test_every_dead_letter_cause_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.MULTILINE))
    assert _causes_in_code() <= documented
    assert documented - _causes_in_code() <= {"device", "tags", "ts", "seq", "fields"}


def test_topics_and_limits_match_the_contract() -> None:
    assert f"`{contract.reading_topic('<device>', '<sensor>')}`" in DOC
    assert f"`{contract.status_topic('<device>')}`" in DOC
    assert f"`{contract.DEADLETTER_TOPIC}`" in DOC
    assert contract.bridge_subscription("<BRIDGE_GROUP>") in DOC
    assert f"at most {contract.MAX_PAYLOAD_BYTES // 1024} KiB" in DOC
    assert f"≤ {contract.MAX_TAGS} entries" in DOC and f"1–{contract.MAX_FIELDS} entries" in DOC
    assert contract.offline_payload().decode() in DOC
