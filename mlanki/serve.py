"""``mlanki serve``: the site of ``mlanki site`` on a local port, rebuilt on save, reloaded in the browser.

    save in SOURCE -> watchfiles -> mlanki.build.build -> mlanki.site.live.LiveSite.update -> pages reload

The preview builds in a workspace of its own (a copy of the sources and of the record, and an output
folder), never in ``source/`` or ``build/``: every build that changes content is a new version, and a
preview must not leave hundreds of versions in the record and the output folder. The site is updated
in place: only the notes a save changed are applied to a kept collection and rendered again (see
``mlanki.site.live``), and the files are what ``mlanki site`` writes from the same packages. The live
reload is added to the pages as they are sent (a script whose request to ``/__mlanki__/status`` is
answered as soon as a build finishes). A build that fails keeps the last good site and shows its
``file:line`` problems on every page and in the terminal.

From Python::

    from mlanki.serve import Preview
    with Preview("source", port=0) as preview:   # builds, then serves on a free port
        print(preview.url)
        preview.watch()                           # until Ctrl-C (or preview.stop.set() from a thread)
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from mlanki.errors import MlankiError, SourceError
from mlanki.record import RECORD_NAME
from mlanki.settings import Settings
from mlanki.sources import display_path

STATUS_PATH = "/__mlanki__/status"
MARKER = ".mlanki-serve"          # a folder that holds this marker is a preview workspace, safe to clear
MISSING_WATCHFILES = "mlanki serve needs watchfiles: pip install 'mlanki[site]'"

# Asks for the status, which the server answers once the build version differs from the page's (or after
# WAIT_SECONDS); a new version reloads the page where it was scrolled to.
WAIT_SECONDS = 20
RELOAD_SCRIPT = """<script id="mlanki-serve-reload">(function () {
  var seen = %d, key = "mlanki-serve-scroll:" + location.pathname;
  var y = sessionStorage.getItem(key);
  if (y !== null) { sessionStorage.removeItem(key); addEventListener("load", function () { scrollTo(0, +y); }); }
  function poll() {
    fetch("%s?wait=" + seen, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (status) {
      if (status.version !== seen) { sessionStorage.setItem(key, String(scrollY)); location.reload(); }
      else setTimeout(poll, 50);
    }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();</script>"""
ERROR_PANEL = ('<div id="mlanki-serve-errors" role="alert" style="position:fixed;z-index:99999;top:0;left:0;right:0;'
               'max-height:50vh;overflow:auto;margin:0;padding:.75em 1em;background:#fee;color:#600;'
               'border-bottom:3px solid #c00;font:14px/1.4 monospace;text-align:left"><strong>mlanki serve: the build '
               'failed; this is the last good site.</strong><pre style="margin:.5em 0 0;white-space:pre-wrap">'
               '%s</pre></div>')
EMPTY_PAGE = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>mlanki serve</title></head>"
              "<body><p>No site yet: the first build has not succeeded.</p></body></html>")


@dataclass
class Status:
    """What the pages ask for: a build counter (a change reloads them) and the last build's problems."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    closed: bool = False

    def update(self, errors: list[str]) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.changed.notify_all()

    def read(self, past: int | None = None, timeout: float = WAIT_SECONDS) -> tuple[int, list[str]]:
        """The version and errors; with ``past``, once the version is another (or after ``timeout``)."""
        with self.changed:
            if past is not None:
                self.changed.wait_for(lambda: self.version != past or self.closed, timeout)
            return self.version, list(self.errors)

    def close(self) -> None:
        """Answer every waiting page now (the server is stopping)."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()


class Workspace:
    """A private copy of the sources (and the record) beside an output folder, kept in step on each save.

    The copy sits at the same place relative to a project folder (a ``setup.cfg`` marks it) as the real
    source does in its project, so Source fields and record paths read as in a real build; messages
    are translated back to the real paths.
    """

    def __init__(self, settings: Settings, folder: Path | None) -> None:
        from mlanki.build import project_root, record_path_for, source_root

        self.source = Path(os.path.abspath(settings.source))
        if not self.source.exists():
            raise MlankiError(f"{settings.source}: no such file or folder")
        self.real_root = Path(os.path.abspath(source_root(self.source)))
        self.real_project = project_root(self.source)
        self.real_output = Path(os.path.abspath(settings.output))
        self.temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="mlanki-serve-")) if folder is None else _cleared(Path(folder))
        (self.folder / MARKER).write_text("a workspace of mlanki serve; cleared on its next start\n", encoding="utf-8")
        self.project = self.folder / "project"
        self.root = self.project / self.real_root.relative_to(self.real_project)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.project / "setup.cfg").touch()
        record = record_path_for(self.source)
        self.record = self.project / record.relative_to(self.real_project)
        if record.is_file():
            self.record.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(record, self.record)
        mirrored = self.root / self.source.relative_to(self.real_root) if self.source.is_file() else self.root
        self.settings = settings.with_flags(source=mirrored, output=self.folder / "build")

    @property
    def site(self) -> Path:
        from mlanki.site.build import SITE_FOLDER

        return self.settings.output / SITE_FOLDER

    def sync(self) -> None:
        """Copy what changed in the real source folder, delete what is gone (the record copy stays ours)."""
        wanted = set()
        for real in self._real_files():
            relative = real.relative_to(self.real_root)
            wanted.add(relative)
            copy = self.root / relative
            try:
                stat, copied = real.stat(), copy.stat()
                if (stat.st_size, stat.st_mtime_ns) == (copied.st_size, copied.st_mtime_ns):
                    continue
            except FileNotFoundError:
                pass
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(real, copy)
            except FileNotFoundError:  # deleted while we looked (an editor's save dance)
                wanted.discard(relative)
        for copy in [p for p in self.root.rglob("*") if p.is_file()]:
            if copy.relative_to(self.root) not in wanted and copy != self.record:
                copy.unlink()

    def _real_files(self):
        skip = (self.folder.resolve(), self.real_output.resolve())
        for folder, dirs, files in os.walk(self.real_root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and Path(folder, d).resolve() not in skip]
            for name in files:
                if not name.startswith(".") and not (name == RECORD_NAME and Path(folder, name) == self.record_real):
                    yield Path(folder, name)

    @property
    def record_real(self) -> Path:
        return self.real_project / self.record.relative_to(self.project)

    def real_paths(self, text: str) -> str:
        """``text`` with the workspace's paths named as the real files (``source/deck.md:12``)."""
        shown = display_path(self.real_project)
        real = "" if shown == "." else shown + os.sep
        for copy in sorted({str(self.project), str(self.project.resolve()), display_path(self.project)}, key=len,
                           reverse=True):
            text = text.replace(copy + os.sep, real)
        return text

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


def _cleared(folder: Path) -> Path:
    """``folder`` emptied, refusing any folder that is not empty and not an earlier preview workspace."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise MlankiError(f"{folder}: not empty and not a workspace of mlanki serve; give an empty or new "
                              "folder (the preview never writes into your build folder)")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Preview:
    """One preview: a workspace, its HTTP server in a thread, and the rebuild-on-save loop."""

    def __init__(self, source: str | Path | None = None, output: str | Path | None = None, *, host: str = "127.0.0.1",
                 port: int = 8000, settings: Settings | None = None,
                 report: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> None:
        from mlanki.site.build import require_renderer

        require_renderer()
        if settings is None:
            from mlanki.api import settings_for

            settings = settings_for(source)
        self.report = report
        self.status = Status()
        self.stop = threading.Event()
        self.workspace = Workspace(settings, _path(output))
        from mlanki.site.live import LiveSite

        self.live = LiveSite(self.workspace.folder / "collections")
        self.rebuild()
        handler = partial(PreviewHandler, directory=str(self.workspace.site), status=self.status)
        try:
            self.server = ThreadingHTTPServer((host, port), handler)
        except OSError as problem:
            self.live.close()
            self.workspace.close()
            raise MlankiError(f"cannot serve on {host}:{port}: {problem.strerror or problem}") from None
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="mlanki-serve", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self) -> bool:
        """Build the packages and the site from the current sources; False (and the problems shown) if it failed."""
        from mlanki.build import build

        started = time.perf_counter()
        packaged = None
        try:
            self.workspace.sync()
            result = build(settings=self.workspace.settings)
            packaged = time.perf_counter()
            self.live.update(self.workspace.settings)
        except SourceError as error:
            errors = [self.workspace.real_paths(str(d)) for d in error.diagnostics]
        except MlankiError as error:
            errors = [self.workspace.real_paths(error.format_message())]
        except Exception:  # noqa: BLE001 - a bad edit must never stop the server
            errors = [self.workspace.real_paths(line) for line in traceback.format_exc().rstrip().splitlines()[-1:]]
            self.report(traceback.format_exc().rstrip())
            if packaged is not None:
                self.live.close()  # the site may be half updated: the next good build writes all of it
        else:
            errors = []
            for diagnostic in result.diagnostics:
                self.report(self.workspace.real_paths(str(diagnostic)))
        self.status.update(errors)
        for line in errors:
            self.report(line)
        done = time.perf_counter()
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in self.live.timings.items())
        self.report(f"build failed after {done - started:.1f} s; serving the last good site" if errors else
                    f"built in {done - started:.2f} s (packages {packaged - started:.2f} s, "
                    f"site {done - packaged:.2f} s: {steps})")
        return not errors

    def watch(self) -> None:
        """Rebuild after every save in the source folder, until ``stop`` is set or Ctrl-C."""
        try:
            from watchfiles import DefaultFilter, watch
        except ImportError:
            raise MlankiError(MISSING_WATCHFILES) from None
        ignored = DefaultFilter(ignore_paths=(str(self.workspace.folder), str(self.workspace.real_output)))
        for _changes in watch(self.workspace.real_root, watch_filter=ignored, stop_event=self.stop,
                              debounce=400, step=100, raise_interrupt=True):
            self.rebuild()

    def close(self) -> None:
        self.stop.set()
        self.status.close()
        self.server.shutdown()
        self.server.server_close()
        self.live.close()
        self.workspace.close()

    def __enter__(self) -> "Preview":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the site folder; HTML pages get the reload script (and the error panel) as they are sent."""

    def __init__(self, *args, status: Status, **kwargs) -> None:
        self.status = status
        self.unchanging = False
        super().__init__(*args, **kwargs)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the page went away (a reload) before its answer
            pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        path = url.path
        # The site's scripts, styles and (content-named) media stay the same while the preview runs: the
        # browser may keep them and ask again with If-Modified-Since, so a reload does not fetch and compile
        # MathJax anew. Pages and search indexes change with every build.
        self.unchanging = path.startswith("/static/") or "/media/" in path
        if path == STATUS_PATH:
            wait = parse_qs(url.query).get("wait", [""])[0]
            version, errors = self.status.read(int(wait) if wait.lstrip("-").isdigit() else None)
            return self._send(json.dumps({"version": version, "errors": errors}).encode(), "application/json")
        page = Path(self.translate_path(path))
        if path.endswith("/"):
            page = page / "index.html"
        if page.suffix == ".html" and (page.is_file() or not Path(self.directory).is_dir()):
            return self._send_page(page)
        return super().do_GET()

    def _send_page(self, page: Path) -> None:
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            if Path(self.directory).is_dir():
                return self.send_error(404, f"{unquote(self.path)} not found")
            text = EMPTY_PAGE
        version, errors = self.status.read()
        addition = RELOAD_SCRIPT % (version, STATUS_PATH)
        if errors:
            addition = ERROR_PANEL % html.escape("\n".join(errors)) + addition
        at = text.lower().rfind("</body>")
        text = text[:at] + addition + text[at:] if at >= 0 else text + addition
        self._send(text.encode("utf-8"), "text/html; charset=utf-8")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache" if self.unchanging else "no-store")  # a reload shows the newest build
        super().end_headers()

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet: the terminal shows builds, not requests
        pass


def serve(source: str | Path | None = None, output: str | Path | None = None, *, host: str = "127.0.0.1",
          port: int = 8000, settings: Settings | None = None,
          report: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> None:
    """Build, serve and rebuild on save until Ctrl-C or SIGTERM; a temporary workspace is removed."""
    with Preview(source, output, host=host, port=port, settings=settings, report=report) as preview:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
        report(f"Serving {preview.url} (Ctrl-C to stop); watching {display_path(preview.workspace.real_root)}")
        preview.watch()


def _interrupt(*_signal) -> None:
    """SIGTERM as Ctrl-C: stop now, even in the middle of a build (the workspace is thrown away)."""
    raise KeyboardInterrupt


def _path(value) -> Path | None:
    return Path(value) if value is not None else None
