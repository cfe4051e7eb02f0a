"""The layering contracts hold on this tree, and break when the core imports the front door."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("baton", "connector", "adapters", "webhooks", "sandbox")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(target: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_contracts_hold_on_this_tree(tmp_path):
    result = _lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_core_module_importing_the_front_door_breaks_the_build(tmp_path):
    root = _copy_tree(tmp_path)
    events = root / "connector" / "events.py"
    events.write_text(events.read_text() + "\nimport webhooks  # a layering mistake\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "connector.events -> webhooks" in result.stdout
