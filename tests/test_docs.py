"""The README cannot drift from the code: every command, setting and quick-start step is there, every
command and option its Commands table lists exists, and the commands it documents that run offline
in seconds (``--help``, ``init``, ``runs``, ``status``, ``export``, ``classify``) do what it says."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pantau.cli import app
from tests.crawlutil import REPO
from tests.factories import article

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


# -- the Commands table against the real CLI -------------------------------------------------

def commands_table() -> dict[str, set[str]]:
    """``pantau`` command → the options its row in README's Commands table shows."""
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for cell in re.findall(r"^\| `pantau ([^`]+)` \|", section, re.M):
        name = cell.split()[0]
        rows[name] = set(re.findall(r"--[a-z][a-z-]*", cell))
    return rows


def test_every_command_and_option_in_the_readme_table_exists_in_the_cli():
    table = commands_table()
    assert {"init", "crawl", "export", "runs", "classify", "import"} <= set(table)  # the table was read
    commands = get_command(app).commands
    for name, options in table.items():
        assert name in commands, f"README lists `pantau {name}`, which the CLI does not have"
        known = {opt for param in commands[name].params for opt in (*param.opts, *param.secondary_opts)}
        assert options <= known, f"README lists `pantau {name}` options the CLI lacks: {sorted(options - known)}"


def test_pantau_help_and_each_commands_help_run(tmp_path):
    """The installed command answers ``--help``, and so does every command the README lists."""
    script = Path(sys.executable).with_name("pantau")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "pantau"]
    top = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env={**os.environ, "COLUMNS": "200"})
    assert top.returncode == 0, top.stderr
    for name in commands_table():
        assert re.search(rf"│ {name}\s", top.stdout), f"`pantau --help` does not list {name}"
        result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (name, result.output)
        assert f"pantau {name}" in result.output or "Usage:" in result.output


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A fresh working folder with ``PANTAU_DB_URL`` and ``PANTAU_LOG_DIR`` set, as the README says."""
    for key in [key for key in os.environ if key.startswith("PANTAU_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PANTAU_DB_URL", f"sqlite:///{tmp_path / 'pantau.db'}")
    monkeypatch.setenv("PANTAU_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pantau(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def test_documented_commands_on_an_empty_database(office):
    assert "Database ready" in pantau("init").output
    assert "Database ready" in pantau("init").output  # idempotent, as the table says
    assert (office / "pantau.db").is_file()
    assert json.loads(pantau("runs", "--json").stdout) == []
    assert json.loads(pantau("status", "--json").stdout) == []
    assert pantau("export", "--format", "jsonl").stdout.strip() == ""


def test_export_jsonl_on_a_tiny_database_gives_the_documented_record(office):
    from storage import EXPORT_FIELDS, Repository, upgrade

    url = os.environ["PANTAU_DB_URL"]
    upgrade(url)
    with Repository(url) as repo:
        repo.store_article(article(1, title="Jalan rusak di Desa Ranuagung",
                                   text="Warga Ranuagung, Tiris, mengeluhkan jalan desa yang berlubang."))
    records = [json.loads(line) for line in pantau("export", "--format", "jsonl").stdout.splitlines()
               if line.startswith("{")]
    assert len(records) == 1
    record = records[0]
    assert list(record)[:len(EXPORT_FIELDS)] == list(EXPORT_FIELDS)
    assert record["url"] == "https://kabarbromo.example/berita/1" and record["status"] == "new"
    assert record["title"] == "Jalan rusak di Desa Ranuagung"
    # the contract's record, then only the fields the README's Exports section names as added since
    exports = README.split("## Exports", 1)[1].split("\n## ", 1)[0]
    for key in list(record)[len(EXPORT_FIELDS):]:
        assert f"`{key}`" in exports, f"export key {key} is not described in README.md"


def test_classify_prints_the_documented_keys(office):
    documented = ("is_complaint", "complaint_score", "category", "kecamatan", "desa", "region_code",
                  "in_jurisdiction", "opd", "model_version")
    row = next(line for line in README.splitlines() if line.startswith("| `pantau classify"))
    for key in documented:  # what the table promises is what this test checks
        assert f"`{key}`" in row
    result = pantau("classify", "Jalan di Desa Ranuagung Kecamatan Tiris rusak parah dan berlubang, "
                                "warga minta segera diperbaiki")
    verdict = json.loads(result.stdout)
    assert set(documented) <= set(verdict) and verdict["evidence"]["places"]  # "and the evidence (place spans…)"
    assert verdict["is_complaint"] is True and verdict["kecamatan"] == "Tiris"
    lines = "\n".join(json.dumps({"id": n, "text": text}) for n, text in
                      enumerate(["Lampu PJU di Paiton mati sebulan, warga mengeluh gelap.",
                                 "Bupati meresmikan pasar baru di Leces."], start=1))
    answers = [json.loads(line) for line in pantau("classify", "--jsonl", "-", input=lines).stdout.splitlines()]
    assert [answer["id"] for answer in answers] == [1, 2]
    assert answers[0]["is_complaint"] is True and answers[1]["is_complaint"] is False
