"""The README cannot drift from the code: every command, setting and quick-start step is there."""

import re

from typer.main import get_command

from pantau.cli import app
from tests.crawlutil import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented_with_its_options():
    command = get_command(app)
    for name, sub in command.commands.items():
        assert f"pantau {name}" in README, f"`pantau {name}` is missing from README.md"
        for param in sub.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"`pantau {name} {option}` is missing from README.md"


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_environment_variables_are_documented():
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("pantau", "spiders", "pipelines", "storage")
                     for p in (REPO / folder).rglob("*.py"))
    for name in sorted(set(re.findall(r"\b(PANTAU_[A-Z_]+)\b", code))):
        if name.startswith("PANTAU_SCRAPY_") or name in {"PANTAU_RUN_ID", "PANTAU_SINCE_DAYS", "PANTAU_MAX_PAGES",
                                                         "PANTAU_NEAR_DUPLICATE_THRESHOLD", "PANTAU_DEDUPE_DAYS",
                                                         "PANTAU_MIN_TEXT_CHARS", "PANTAU_REGION",
                                                         "PANTAU_PAGE_ANALYSER", "PANTAU_PAGE_ANALYSER_ARGS"}:
            continue  # Scrapy settings, documented under the PANTAU_SCRAPY_<SETTING> row
        assert name in README, f"{name} is used in the code but not documented in README.md"
