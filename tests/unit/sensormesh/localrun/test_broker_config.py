from __future__ import annotations

from pathlib import Path

from sensormesh.localrun.broker import render_broker_config, repo_root


def test_only_listener_paths_and_user_change_when_run_locally() -> None:
    template = (repo_root() / "mosquitto" / "mosquitto.conf").read_text()
    rendered = render_broker_config(template, 18883, Path("/tmp/b"), "tester")
    assert "listener 18883 127.0.0.1" in rendered and "listener 8883" not in rendered
    assert "/mosquitto/" not in rendered and "cafile /tmp/b/certs/ca.crt" in rendered
    assert "user tester" in rendered
    changed = {line for line in rendered.splitlines()} ^ set(template.splitlines())
    assert all(
        ("/tmp/b" in line or "listener" in line or line.startswith("user") or "/mosquitto/" in line)
        for line in changed
    )


def test_broker_config_is_secure_and_lossless_as_written() -> None:
    settings = dict(
        line.split(" ", 1)
        for line in (repo_root() / "mosquitto" / "mosquitto.conf").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert settings["allow_anonymous"] == "false"
    assert settings["listener"] == "8883" and "certfile" in settings
    assert int(settings["max_queued_messages"]) >= 1_000_000
    assert settings["persistence"] == "true"
