"""The ``mlanki`` command: a thin click layer; each command loads settings and calls the library."""

from __future__ import annotations

import sys

import click

from mlanki import __version__


def _print_diagnostics(diagnostics) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlanki")
def cli() -> None:
    """Turn Markdown question-and-answer collections into Anki decks that update in place."""


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=str))
@click.option("-o", "--output", type=click.Path(path_type=str), default=None,
              help="Folder for the .apkg files (default: build/, or setup.cfg [mlanki] output).")
@click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors.")
@click.option("--version", "version", default=None, metavar="X.Y.Z",
              help="Publish this version instead of the computed one.")
@click.option("--allow-field-change", is_flag=True, default=False,
              help="Publish a note type whose field list changed (a new note type, a major version).")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              metavar="PATH.apkg", help="A released package (mlanki's or another tool's) whose notes the deck "
              "continues, so learners keep their cards.")
def build(source, output, strict, version, allow_field_change, previous) -> None:
    """Build one .apkg per Markdown file of SOURCE (default: source/) into build/."""
    from mlanki.build import build as run_build
    from mlanki.errors import SourceError
    from mlanki.progress import for_stderr, no_progress

    bar = for_stderr()
    try:
        result = run_build(source, output, strict=strict, version=version, allow_field_change=allow_field_change,
                           progress=bar or no_progress, previous=previous)
    except SourceError as error:
        _print_diagnostics(error.diagnostics)
        sys.exit(1)
    finally:
        if bar:
            bar.close()
    _print_diagnostics(result.diagnostics)
    click.echo(result.summary())


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=str))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text: file:line:col: level: message lines; json: a list of objects.")
def check(source, output_format) -> None:
    """Check SOURCE (default: source/) without writing anything; exit 1 when there are errors."""
    import json

    from mlanki.build import check_sources

    diagnostics = check_sources(source)
    if output_format == "json":
        click.echo(json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.as_check_line())
        errors = sum(1 for d in diagnostics if d.is_error)
        click.echo(f"{errors} error{'s' * (errors != 1)}, {len(diagnostics) - errors} "
                   f"warning{'s' * (len(diagnostics) - errors != 1)}", err=True)
    if any(d.is_error for d in diagnostics):
        sys.exit(1)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=str))
def diff(source) -> None:
    """Show what the next build would change relative to the last release (writes nothing)."""
    from mlanki.build import diff as run_diff
    from mlanki.errors import SourceError

    try:
        plans = run_diff(source)
    except SourceError as error:
        _print_diagnostics(error.diagnostics)
        sys.exit(1)
    for plan in plans:
        click.echo(plan.describe())


def main() -> None:
    """Console entry point: exit 0 ok, 1 errors in the input, 2 usage."""
    cli(prog_name="mlanki")
