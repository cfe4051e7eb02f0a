"""check-config on a workstation (``--structure-only``) and values written as labels (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from config_testing import EXAMPLE, EXAMPLE_ENV

from connector.config import ConfigError, check_config_command
from connector.config.labels import hubspot_lead_status_label, nonstandard_lead_statuses
from connector.config.loader import load_config_text


def _check(path: Path | str, env: dict[str, str], **options: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = check_config_command(str(path), env=env, stdout=out, stderr=err, **options)
    return code, out.getvalue(), err.getvalue()


def test_structure_only_passes_without_any_secret_exported() -> None:
    code, out, err = _check(EXAMPLE, {}, structure_only=True)
    assert code == 0, err
    assert out.startswith(f"{EXAMPLE}: structure OK (secrets and environment values not checked)")
    assert "not set here: hubspot.client_secret (environment variable HUBSPOT_CLIENT_SECRET" in out
    assert "calendar Europe/Amsterdam" in out  # the summary, from stand-ins
    assert "where the variables are exported" in out


def test_without_the_flag_unset_secrets_are_still_errors() -> None:
    code, _, err = _check(EXAMPLE, {})
    assert code == 1 and "HUBSPOT_CLIENT_SECRET is not set" in err


def test_structure_only_still_reports_real_errors(tmp_path: Path) -> None:
    broken = tmp_path / "baton.yaml"
    broken.write_text(EXAMPLE.read_text().replace("log_format: json", "log_format: xml"))
    code, out, err = _check(broken, {}, structure_only=True)
    assert code == 1 and out == ""
    assert "service.log_format" in err and "is not set" not in err
    assert err.rstrip().endswith("1 error")


def test_structure_only_never_prints_a_secret_that_is_set() -> None:
    env = {"HUBSPOT_CLIENT_SECRET": EXAMPLE_ENV["HUBSPOT_CLIENT_SECRET"]}
    code, out, _ = _check(EXAMPLE, env, structure_only=True)
    assert code == 0 and EXAMPLE_ENV["HUBSPOT_CLIENT_SECRET"] not in out


def test_a_translated_lead_status_label_is_named_with_the_fix(tmp_path: Path) -> None:
    dutch = tmp_path / "baton.yaml"
    dutch.write_text(EXAMPLE.read_text().replace("Working - Contacted", "Bezig - Gecontacteerd"))
    code, out, _ = _check(dutch, EXAMPLE_ENV)
    assert code == 0  # the file cannot know the org's values …
    line = next(line for line in out.splitlines() if "Lead.Status values" in line)
    assert "checked against the org by `baton doctor`" in line  # … so it says who does
    assert "'Bezig - Gecontacteerd'" in line and "not a translated label" in line


def test_a_hubspot_lead_status_label_is_refused_with_the_internal_value() -> None:
    text = EXAMPLE.read_text().replace(
        "hubspot: ATTEMPTED_TO_CONTACT", "hubspot: Attempted to contact", 1
    )
    assert text != EXAMPLE.read_text()
    with pytest.raises(ConfigError) as raised:
        load_config_text(text, file="baton.yaml", env=EXAMPLE_ENV)
    assert (
        "'Attempted to contact' is the label of HubSpot's lead status ATTEMPTED_TO_CONTACT"
    ) in str(raised.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("IN_PROGRESS", None), ("in progress", "IN_PROGRESS"), ("Bad timing", "BAD_TIMING"),
     ("MY_OWN", None)],
)  # fmt: skip
def test_hubspot_lead_status_label(value: str, expected: str | None) -> None:
    problem = hubspot_lead_status_label(value)
    assert (
        (problem is None)
        if expected is None
        else (f"write the internal value {expected}" in problem)
    )


def test_nonstandard_lead_statuses_once_each_in_order() -> None:
    values = ["Open - Not Contacted", "Bezig - Gecontacteerd", "Recycled", "Bezig - Gecontacteerd"]
    assert nonstandard_lead_statuses(values) == ["Bezig - Gecontacteerd", "Recycled"]


def test_a_recycle_trigger_written_as_a_label_is_refused_at_its_item() -> None:
    text = EXAMPLE.read_text()
    broken = text.replace("hubspot: [BAD_TIMING]", "hubspot: [Bad timing]", 1)
    assert broken != text
    with pytest.raises(ConfigError) as raised:
        load_config_text(broken, file="baton.yaml", env=EXAMPLE_ENV)
    assert "recycle.trigger_statuses.hubspot[0]" in str(raised.value)
    assert "write the internal value BAD_TIMING" in str(raised.value)
