"""Every folder with Python code ships in the wheel under the `afterword` package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for top, name in (("plugin", "afterword.plugin"), ("auth", "afterword.auth")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([name, *rel.parts]))
    found.add("afterword.plugin.compose.templates")
    assert found == listed


def test_templates_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert (ROOT / "plugin" / "compose" / "templates" / "thank_you.txt.j2").exists()
    assert "*.j2" in config["package-data"]["afterword.plugin.compose.templates"]
