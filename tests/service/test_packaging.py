"""An installed copy (not an editable one) carries every file the app reads at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "workflows", "content", "service")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "build", "*.egg-info", ".git")


def _data_files() -> set[str]:
    """Every file of the packages that is not Python source, as a path inside the wheel."""
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_definition_content_file_template_and_stylesheet(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("improvement_engine-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = set(archive.namelist())
    expected = _data_files()
    assert {"workflows/shapes/cycle.yaml", "service/web/templates/team.html"} <= expected
    assert expected - packaged == set()
