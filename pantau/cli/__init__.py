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

COMMANDS = (  # (name, function): the name is the function's unless given
    (None, admin.init), (None, crawl.crawl), ("import", imports.import_command), (None, export.export),
    (None, crawl.runs), (None, crawl.schedule), (None, crawl.status), (None, admin.backup),
    ("classify", classify.classify_command), (None, classify.reclassify), (None, classify.train),
    (None, classify.evaluate), (None, admin.serve), (None, admin.demo), (None, export.report),
)
for name, command in COMMANDS:
    app.command(name)(command)
app.add_typer(admin.user_app, name="user")  # groups are listed after the commands

def main() -> None:  # pragma: no cover - console script entry
    app()


__all__ = ["app", "main"]
