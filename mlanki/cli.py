"""The ``mlanki`` command: a thin click layer; each command loads settings and calls one library function.

Every command writes its findings the same way, on stderr: ``file:line[:col]: level: message``
(the column when it is known), an indented ``hint:`` line when there is one, then a count line.
Results (summaries, JSON, exports) go to stdout. Exit codes: 0 done, 1 problems in the input,
2 wrong usage (click's ``Error:`` line), 130 interrupted. A new command is one more function at
the end, decorated with ``@cli.command(...)`` and ``@common_options``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from mlanki import __version__
from mlanki.progress import no_progress

EXIT_CODES = """\b
Exit codes: 0 done, 1 problems in the input (printed as file:line: level: message
on stderr, nothing written), 2 wrong usage, 130 interrupted (Ctrl-C)."""
_RELEASE = re.compile(r"^\d+\.\d+\.\d+$")
_LEVEL_COLOURS = {"error": "red", "warning": "yellow"}


class MlankiGroup(click.Group):
    """Commands in the order they are defined; Ctrl-C ends with exit code 130, not a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nInterrupted: nothing more was written.", err=True)
            ctx.exit(130)


@dataclass
class Run:
    """What every command shares: how much to say, and the settings file to use."""

    quiet: bool = False
    verbose: bool = False
    config: str | None = None
    jobs: int | None = None  # --jobs, for the commands that parse

    @property
    def colour(self) -> bool | None:
        return False if os.environ.get("NO_COLOR") else None  # None: click colours on a terminal only

    def say(self, text: str = "", err: bool = False, **style) -> None:
        click.echo(click.style(text, **style) if style else text, err=err, color=self.colour)

    def diagnostics(self, diagnostics) -> None:
        """Each finding as ``file:line[:col]: level: message`` and its hint, on stderr."""
        for d in diagnostics:
            level = click.style(d.level, fg=_LEVEL_COLOURS.get(d.level), bold=True)
            self.say(f"{d.location}: {level}: {d.message}", err=True)
            if d.hint:
                self.say(f"    hint: {d.hint}", err=True)

    def stop(self, error, suffix: str = "; nothing was written.") -> None:
        """A build that bad input stopped: every problem, the counts, exit 1."""
        self.diagnostics(error.diagnostics)
        self.counts(error.diagnostics, suffix)
        sys.exit(1)

    def counts(self, diagnostics, suffix: str = "") -> None:
        """``2 errors, 1 warning``, saying how many errors are warnings that strict mode promoted."""
        from mlanki.build import PROMOTED, plural

        errors = sum(1 for d in diagnostics if d.is_error)
        promoted = sum(1 for d in diagnostics if d.is_error and d.message.endswith(PROMOTED))
        line = f"{plural(errors, 'error')}, {plural(len(diagnostics) - errors, 'warning')}"
        if promoted:
            line += f" ({promoted} of the errors {'is a warning' if promoted == 1 else 'are warnings'} " \
                    f"made an error by strict mode)"
        self.say(line + suffix, err=True, fg="red" if errors else None)


def lint_counts(lint) -> str:
    """What the lint rules found, by level, as ``mlanki check`` counts it (the build prints none of them)."""
    from mlanki.build import plural

    if not lint:
        return "no findings from lint rules"
    errors = sum(1 for d in lint if d.is_error)
    found = ", ".join(plural(n, level) for n, level in ((errors, "error"), (len(lint) - errors, "warning")) if n)
    return f"and {found} from lint rules (`mlanki check` lists them)"


def common_options(command):
    """``-q``, ``-v`` and ``--config`` for a command; the command receives them as ``run``."""
    @click.option("-q", "--quiet", is_flag=True, help="Print only problems: no summary, no progress.")
    @click.option("-v", "--verbose", is_flag=True, help="Say more: every topic, where settings came from.")
    @click.option("--config", type=click.Path(exists=True, dir_okay=False), default=None, metavar="PATH",
                  help="Read settings from this setup.cfg or pyproject.toml instead of searching for one.")
    @click.pass_context
    def with_run(ctx, quiet, verbose, config, **kwargs):
        if quiet and verbose:
            raise click.UsageError("-q and -v contradict each other; give one")
        return ctx.invoke(command, Run(quiet, verbose, config, kwargs.pop("jobs", None)), **kwargs)

    with_run.__name__ = command.__name__
    with_run.__doc__ = command.__doc__
    return with_run


def _jobs_option(command):
    """``-j/--jobs N``: how many processes parse a large source (its ``jobs`` setting; default one per core)."""
    return click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Parse a large source in N processes (setting: jobs; default: one per core; "
                             "1: no worker processes).")(command)


def _source_argument(command):
    return click.argument("source", required=False, type=click.Path(exists=True))(command)


def _check_release(ctx, param, value):
    if value is not None and not _RELEASE.match(value):
        raise click.BadParameter(f"{value!r} is not a version like 1.2.3")
    return value


def _settings(run: Run, source=None, **flags):
    from mlanki.api import settings_for
    from mlanki.settings import find_config

    settings = settings_for(source, config=run.config, jobs=run.jobs, **flags)
    if run.verbose:
        found = run.config or find_config(source and Path(source))
        where = getattr(found, "path", found) or "none found, defaults"
        run.say(f"settings: {where}; source: {settings.source}; output: {settings.output}", err=True)
    return settings


@click.group(cls=MlankiGroup, epilog=EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mlanki", message="%(prog)s %(version)s")
def cli() -> None:
    """Turn Markdown question-and-answer collections into Anki decks that update in place.

    \b
    Quick start, in a folder with source/*.md:
      mlanki check          # problems in the sources, as file:line messages
      mlanki build          # build/<deck>.apkg and build/<deck>-X.Y.Z.apkg
      mlanki diff           # what the next build changes since the last release

    Settings are read from pyproject.toml [tool.mlanki] or setup.cfg [mlanki], searched from SOURCE
    (or the working folder) upward; flags win. A source file can set topic_level, question_level,
    question_style, line_breaks and missing_media for itself in a front matter "mlanki:" block.

    \b
    From Python: import mlanki; mlanki.build("source", "build"); mlanki.parse("deck.md")
    Shell completion (bash): eval "$(_MLANKI_COMPLETE=bash_source mlanki)"
    (zsh: zsh_source in ~/.zshrc; fish: _MLANKI_COMPLETE=fish_source mlanki | source)
    """


@cli.command(short_help="Build one .apkg per Markdown file of SOURCE.", epilog="""\b
Examples:
  mlanki build                      source/ -> build/
  mlanki build notes/ -o out/       another source folder (or one file) and output folder
  mlanki build -o mydeck.apkg       write mydeck.apkg and mydeck-X.Y.Z.apkg
  mlanki build --strict             warnings are errors
  mlanki build --release 2.0.0      publish a version of your choosing
  mlanki build --previous old.apkg  continue the notes of a released deck

""" + EXIT_CODES)
@_source_argument
@click.option("-o", "--output", type=click.Path(), default=None, metavar="FOLDER|FILE.apkg",
              help="Output folder (default: build/); a name ending in .apkg is the package file itself, "
                   "with the versioned copy NAME-X.Y.Z.apkg beside it.")
@click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors (setting: strict = true).")
@click.option("--release", default=None, metavar="X.Y.Z", callback=_check_release,
              help="Publish this version instead of the computed one.")
@click.option("--version", "old_release", default=None, hidden=True, callback=_check_release,
              help="Deprecated spelling of --release.")
@click.option("--allow-field-change", is_flag=True, default=False,
              help="Publish a note type whose field list changed (a new note type, a major version).")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), default=None,
              metavar="PATH.apkg", help="A released package (mlanki's or another tool's) whose notes the deck "
              "continues, so learners keep their cards.")
@_jobs_option
@common_options
def build(run: Run, source, output, strict, release, old_release, allow_field_change, previous) -> None:
    """Build one .apkg per Markdown file of SOURCE (default: source/) into the output folder.

    Each deck is written twice: <deck>-X.Y.Z.apkg for the release and <deck>.apkg for the latest,
    with build/CHANGELOG.md. The record file source/mlanki.lock keeps every card's identity:
    commit it. A build with bad input prints every problem and writes nothing.
    """
    from mlanki.build import build as run_build
    from mlanki.errors import SourceError

    if old_release is not None:
        run.say("warning: build --version is deprecated; use --release", err=True, fg="yellow")
        release = release or old_release
    settings = _settings(run, source, output=output, strict=strict)
    try:
        with _progress(run) as bar:
            result = run_build(settings=settings, version=release, allow_field_change=allow_field_change,
                               progress=bar, previous=previous)
    except SourceError as error:
        run.stop(error)
    run.diagnostics(result.diagnostics)
    if not run.quiet:
        run.say(result.summary(all_topics=run.verbose))
    if result.diagnostics or result.lint or not run.quiet:
        run.counts(result.diagnostics, "; " + lint_counts(result.lint))


@cli.command(short_help="Check SOURCE without writing anything.", epilog="""\b
Examples:
  mlanki check                      every problem of source/, with hints
  mlanki check --strict             exit 1 on warnings too (setting: strict = true)
  mlanki check --format json        the same as a JSON list, for editors and CI

""" + EXIT_CODES)
@_source_argument
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text: file:line[:col]: level: message lines with hints on stderr; "
                   "json: a list of objects on stdout.")
@click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors (setting: strict = true).")
@_jobs_option
@common_options
def check(run: Run, source, output_format, strict) -> None:
    """Check SOURCE (default: source/) without writing anything.

    Reports what `mlanki build` would stop on (errors) or warn about, plus lint findings the build
    does not look for (copy-pasted math, text outside any card). Exits 1 when there are errors.
    """
    from mlanki.api import check as run_check

    settings = _settings(run, source, strict=strict)
    with _progress(run) as bar:
        found = run_check(settings=settings, progress=bar)
    if output_format == "json":
        click.echo(json.dumps([d.as_dict() for d in found.diagnostics], indent=2, ensure_ascii=False))
    else:
        run.diagnostics(found.diagnostics)
        if found.diagnostics or not run.quiet:
            run.counts(found.diagnostics, f" ({found.lint_count} of them from lint rules)" if found.lint_count else "")
    if found.errors:
        sys.exit(1)


@cli.command(short_help="Show what the next build would change (writes nothing).", epilog="""\b
Examples:
  mlanki diff                       notes added (+), changed (~) and retired (-) since the last release
  mlanki diff --format json         the same as JSON: one object per deck

""" + EXIT_CODES)
@_source_argument
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="text: a few lines per deck; json: every question, one object per deck.")
@_jobs_option
@common_options
def diff(run: Run, source, output_format) -> None:
    """Show what the next build of SOURCE would change relative to the last release; writes nothing."""
    from mlanki.api import diff as run_diff
    from mlanki.errors import SourceError

    settings = _settings(run, source)
    try:
        with _progress(run) as bar:
            plans = run_diff(settings=settings, progress=bar)
    except SourceError as error:
        run.stop(error, "")
    if output_format == "json":
        click.echo(json.dumps([_plan_dict(p) for p in plans], indent=2, ensure_ascii=False))
    else:
        for plan in plans:
            click.echo(plan.describe(limit=10**9 if run.verbose else 5))


def _plan_dict(plan) -> dict:
    return {"deck": plan.deck, "previous": plan.previous, "version": plan.version, "added": plan.added,
            "changed": plan.changed, "retired": plan.retired, "notes": plan.explanations}


@cli.command(short_help="Write the parsed entries of SOURCE as JSON or CSV.", epilog="""\b
Examples:
  mlanki export > entries.json      every entry: question, answer, explanation, options
  mlanki export --format csv -o entries.csv

""" + EXIT_CODES)
@_source_argument
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json",
              help="json: a list of entries, each part as text and HTML; csv: one row per entry.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-", metavar="FILE",
              help="Write here instead of stdout.")
@_jobs_option
@common_options
def export(run: Run, source, output_format, output) -> None:
    """Write the entries of SOURCE (default: source/) for other tools: one record per question."""
    from mlanki.api import parse_all
    from mlanki.export import export as render

    settings = _settings(run, source)
    with _progress(run) as bar:
        decks = parse_all(settings=settings, progress=bar)
    problems = [d for deck in decks for d in deck.diagnostics]
    run.diagnostics(problems)
    if any(d.is_error for d in problems):
        run.counts(problems, "; nothing was written.")
        sys.exit(1)
    with click.open_file(output, "w", encoding="utf-8") as out:
        out.write(render(decks, output_format))


@contextmanager
def _progress(run: Run):
    """The progress callback for a command's library call; the display is cleared however it ends."""
    from mlanki.progress import for_stderr

    bar = for_stderr("reading sources", quiet=run.quiet)
    try:
        yield bar or no_progress
    finally:
        if bar:
            bar.close()


@cli.command(short_help="Build SOURCE, then apply each deck to a collection or a running Anki.", epilog="""\b
Examples:
  mlanki sync --profile "User 1"               the maintainer's loop, with Anki closed
  mlanki sync --anki-connect                   into the Anki running here (AnkiConnect add-on)
  mlanki sync --collection c.anki2 --dry-run   print the plan, change nothing

""" + EXIT_CODES)
@_source_argument
@click.option("-o", "--output", type=click.Path(), default=None, metavar="FOLDER",
              help="Output folder for the packages the build writes (default: build/).")
@click.option("--collection", type=click.Path(), default=None, metavar="PATH",
              help="Apply to this collection file (Anki must be closed).")
@click.option("--profile", default=None, metavar="NAME",
              help="Apply to this profile's collection in Anki's standard data folder.")
@click.option("--anki-connect", "anki_connect", is_flag=False, flag_value="http://127.0.0.1:8765", default=None,
              metavar="[URL]", help="Apply to the Anki running here, through AnkiConnect (default URL "
                                    "http://127.0.0.1:8765).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--delete-retired", is_flag=True, help="Delete removed entries instead of suspending them.")
@click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors.")
@_jobs_option
@common_options
def sync(run: Run, source, output, collection, profile, anki_connect, dry_run, delete_retired, strict) -> None:
    """Build SOURCE like `build`, then apply each deck to a collection or a running Anki.

    Unlike an import, sync also moves cards to their new subdeck, renames decks, retires removed
    entries (suspended, tagged mlanki::retired; deleted with --delete-retired) and overwrites
    notes a learner edited. Review history is kept; nothing outside the deck's own notes is touched.
    """
    from mlanki.errors import SourceError
    from mlanki.sync import sync as run_sync

    settings = _settings(run, source, output=output, strict=strict)
    try:
        with _progress(run) as bar:
            result = run_sync(collection=collection, profile=profile, anki_connect=anki_connect, dry_run=dry_run,
                              delete_retired=delete_retired, settings=settings, progress=bar)
    except SourceError as error:
        run.stop(error)
    run.diagnostics(result.build.diagnostics)
    if not run.quiet:
        run.say(result.build.summary())
    run.say(result.describe())


@cli.command(short_help="Write a download-and-preview site from the built packages.", epilog="""\b
Examples:
  mlanki site                       build/*.apkg + build/CHANGELOG.md -> build/site/index.html
  mlanki site notes/ -o out/        the packages in out/ (built from notes/ if missing) -> out/site/

Needs the site extra: pip install 'mlanki[site]'.

""" + EXIT_CODES)
@_source_argument
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
              help="Folder with the built packages (default: build/); the site goes to FOLDER/site/.")
@common_options
def site(run: Run, source, output) -> None:
    """Write a static site into FOLDER/site/ from the packages and changelog in FOLDER (-o, default build/).

    Every card is shown as Anki renders it (the package is imported with the official anki
    package), with download links, versions and the changelog; it works from file:// and any
    static host. When FOLDER has no package yet, SOURCE is built first.
    """
    from mlanki.errors import SourceError
    from mlanki.site.build import build_site

    settings = _settings(run, source, output=output)
    try:
        result = build_site(settings=settings)
    except SourceError as error:
        run.stop(error)
    run.diagnostics(result.diagnostics)
    if not run.quiet:
        run.say(result.summary())


def main() -> None:
    """Console entry point: exit 0 done, 1 problems in the input, 2 wrong usage, 130 interrupted."""
    cli(prog_name="mlanki")

@cli.command(short_help="Preview the site on a local port, rebuilt and reloaded on every save.", epilog="""\b
Examples:
  mlanki serve                      source/ -> http://127.0.0.1:8000/, rebuilt on every save
  mlanki serve notes/ --port 0      any free port (printed)

The preview builds in a workspace of its own: your record and build/ are never written.
Needs the site extra: pip install 'mlanki[site]'.

""" + EXIT_CODES)
@_source_argument
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
              help="An empty folder for the preview's packages and site (default: a temporary folder, removed on exit).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@_jobs_option
@common_options
def serve(run: Run, source, output, port, host) -> None:
    """Serve the site of SOURCE on a local port; rebuild it on every save and reload the open pages.

    A save that breaks the build keeps the last good site, with the problems as file:line lines
    on the page and here. Stop with Ctrl-C.
    """
    from mlanki.serve import serve as run_serve

    run_serve(output=output, host=host, port=port, settings=_settings(run, source),
              report=lambda line: run.say(line, err=True))
