"""The ``pantau`` command line (Typer): every command, in the order ``pantau --help`` lists them.

One module per command group, each thin over the functions that do the work (and that tests call
directly): :mod:`~pantau.cli.admin` (init, user, serve, backup, demo), :mod:`~pantau.cli.crawl`
(crawl, schedule, runs, status), :mod:`~pantau.cli.imports` (import), :mod:`~pantau.cli.export`
(export, report), :mod:`~pantau.cli.classify` (classify, reclassify, train, evaluate);
:mod:`~pantau.cli.common` holds what they share. A new command: a function in the module of its
group, registered here, documented in the README's Commands table.

Exit codes follow CONTRACT.md: 0 success, 2 bad usage or configuration, 1 failure.
"""

from __future__ import annotations

import typer

from pantau.cli import admin, classify, crawl, export, imports

app = typer.Typer(help="Pantau: find public complaints in local news and social media for SP4N-LAPOR!",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

app.command()(admin.init)
app.command()(crawl.crawl)
app.command("import")(imports.import_command)
app.command()(export.export)
app.command()(crawl.runs)
app.command()(crawl.schedule)
app.command()(crawl.status)
app.command()(admin.backup)
app.command("classify")(classify.classify_command)
app.command()(classify.reclassify)
app.command()(classify.train)
app.command()(classify.evaluate)
app.add_typer(admin.user_app, name="user")
app.command()(admin.serve)
app.command()(admin.demo)
app.command()(export.report)


def main() -> None:  # pragma: no cover - console script entry
    app()


__all__ = ["app", "main"]
