"""One exception family: user errors print as one clean line and exit 1, never a traceback."""

from __future__ import annotations

import click


class MlankiError(click.ClickException):
    """Raised for any problem the user can fix (bad input, unwritable output); exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


class SourceError(MlankiError):
    """Raised when the Markdown sources cannot become a deck; lists every problem as file:line."""

    def __init__(self, diagnostics) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
