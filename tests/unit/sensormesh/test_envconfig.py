from __future__ import annotations

import pytest

from sensormesh.envconfig import ConfigError, EnvReader, exit_with_problems


def test_collects_every_problem_before_failing() -> None:
    reader = EnvReader({"PORT": "eighty", "RATE": "-1", "TAGS": "a=1,broken"})
    reader.text("HOST")
    reader.integer("PORT", 1)
    reader.seconds("RATE", 1.0, minimum=0.1)
    assert reader.key_values("TAGS") == {"a": "1"}
    with pytest.raises(ConfigError) as caught:
        reader.raise_if_problems()
    assert caught.value.problems == [
        "HOST is required but not set",
        "PORT='eighty' is not an integer",
        "RATE='-1' must be at least 0.1",
        "TAGS: 'broken' is not key=value",
    ]


def test_defaults_apply_to_unset_and_blank_values() -> None:
    reader = EnvReader({"A": "  "})
    assert reader.text("A", "fallback") == "fallback"
    assert reader.integer("B", 7) == 7
    reader.raise_if_problems()


def test_exit_prints_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        exit_with_problems("prog", ConfigError(["one", "two"]))
    assert caught.value.code == 2
    assert capsys.readouterr().err == "prog: config error: one\nprog: config error: two\n"
