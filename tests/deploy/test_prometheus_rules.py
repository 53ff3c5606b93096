"""The alert rules with promtool: they load, the scrape config is valid, and every alert's unit tests
(alerts.test.yml) pass, with a firing and a quiet case for each alert."""

from __future__ import annotations

import subprocess

import pytest

from tests.deploy._deploy import DEPLOY, NO_PROMTOOL, load_yaml, tool

pytestmark = pytest.mark.timeout(60)

PROM = DEPLOY / "prometheus"
PROMTOOL = tool("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=PROM, capture_output=True, text=True, timeout=50, check=False
    )


def alert_names() -> list[str]:
    [doc] = load_yaml(PROM / "alerts.yml")
    return [r["alert"] for g in doc["groups"] for r in g["rules"] if "alert" in r]


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    names = alert_names()
    assert len(names) == len(set(names)) == 9
    [tests] = load_yaml(PROM / "alerts.test.yml")
    assert tests["rule_files"] == ["alerts.yml"]
    firing, quiet = set(), set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert set(names) <= firing, f"no firing case: {sorted(set(names) - firing)}"
    assert set(names) <= quiet, f"no quiet case: {sorted(set(names) - quiet)}"
    assert firing | quiet <= set(names), "a test names an alert that does not exist"


def test_every_alert_has_severity_and_summary() -> None:
    [doc] = load_yaml(PROM / "alerts.yml")
    for rule in (r for g in doc["groups"] for r in g["rules"]):
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert rule.get("for"), f"{rule['alert']} fires on a single evaluation"


@needs_promtool
def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 9 rules found" in result.stdout


@needs_promtool
def test_promtool_check_config() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_test_rules() -> None:
    result = promtool("test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_promtool_checks_and_tests_the_recording_rules() -> None:
    result = promtool("check", "rules", "recording.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 4 rules found" in result.stdout
    result = promtool("test", "rules", "recording.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
