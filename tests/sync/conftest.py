"""A real Anki desktop for the AnkiConnect tests: one per test session, headless, in a throwaway base folder.

How to start it without any dialog (prefs, GL driver, add-on config, environment) is described in
shared/design/ANKI-DESKTOP.md. The AnkiConnect add-on is a test component: it is copied from
../shared/vendor/anki-connect into the base folder, never into the project.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON_SOURCE = ROOT.parent / "shared" / "vendor" / "anki-connect" / "plugin"
ADDON_CODE = "2055492159"  # AnkiConnect's add-on code: Anki loads it from addons21/<code>
PROFILE = "mlanki-test"
READY_SECONDS = 60
STOP_SECONDS = 20


class DesktopUnavailable(Exception):
    pass


class AnkiDesktop:
    """Anki desktop with AnkiConnect on a free port; the test prepares the profile's collection, then starts it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = folder / "base"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.log = folder / "anki.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def collection(self) -> Path:
        """The profile's collection file (its folder exists before the start, so a test can fill it)."""
        path = self.base / PROFILE / "collection.anki2"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def start(self) -> None:
        """Start Anki and wait until AnkiConnect answers; skips the test where Qt cannot start."""
        try:
            self._start()
        except DesktopUnavailable as problem:
            pytest.skip(f"Qt cannot start Anki desktop here: {problem}")

    def _start(self) -> None:
        if self.process and self.process.poll() is None:
            return
        self._prepare_base()
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        env = {key: value for key, value in os.environ.items() if key != "ANKI_BASE"}
        env.update(QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu",
                   ANKI_SINGLE_INSTANCE_KEY=f"mlanki-test-{os.getpid()}-{self.port}", HOME=str(home),
                   XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "data"))
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from aqt import run; sys.exit(run())",
                 "-b", str(self.base), "-p", PROFILE],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DesktopUnavailable(f"Anki desktop exited with {self.process.returncode}: {self._log_tail()}")
            if self._ready():
                return
            time.sleep(0.2)
        self.stop()
        raise DesktopUnavailable(f"Anki desktop did not answer within {READY_SECONDS} s: {self._log_tail()}")

    def stop(self) -> None:
        """SIGTERM (Anki closes the collection cleanly), then kill the group if it hangs."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)

    def _ready(self) -> bool:
        import urllib.request

        request = urllib.request.Request(self.url, json.dumps({"action": "deckNames", "version": 6}).encode())
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.loads(response.read()).get("error", "x") is None
        except (OSError, ValueError):
            return False

    def _prepare_base(self) -> None:
        """prefs21.db (no first-run dialog, no update checks, no sync), software GL, the add-on."""
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "gldriver6").write_text("software")
        prefs = sqlite3.connect(self.base / "prefs21.db")
        prefs.execute("create table if not exists profiles (name text primary key collate nocase, data blob not null)")
        meta = dict(ver=0, updates=False, created=0, id=1, lastMsg=0, suppressUpdate=True, firstRun=False,
                    defaultLang="en_US", check_for_updates=False, check_for_addon_updates=False,
                    last_loaded_profile_name=PROFILE)
        profile = dict(mainWindowGeom=None, mainWindowState=None, numBackups=50, lastOptimize=0, searchHistory=[],
                       syncKey=None, syncMedia=False, autoSync=False, allowHTML=False, importMode=1)
        prefs.executemany("insert or replace into profiles values (?, ?)",
                          [("_global", pickle.dumps(meta, protocol=4)), (PROFILE, pickle.dumps(profile, protocol=4))])
        prefs.commit()
        prefs.close()
        addon = self.base / "addons21" / ADDON_CODE
        shutil.rmtree(addon, ignore_errors=True)
        shutil.copytree(ADDON_SOURCE, addon)
        config = json.loads((addon / "config.json").read_text())
        config.update(webBindAddress="127.0.0.1", webBindPort=self.port)
        (addon / "config.json").write_text(json.dumps(config))

    def _log_tail(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines() if self.log.exists() else []
        return " | ".join(lines[-3:]) or "no output"


@pytest.fixture(scope="session")
def anki_desktop(tmp_path_factory):
    """The session's Anki desktop (not started yet: call ``.start()`` once the collection is ready)."""
    if not ADDON_SOURCE.is_dir():
        pytest.skip(f"{ADDON_SOURCE} is absent: the AnkiConnect tests need the add-on's source beside the project")
    if importlib.util.find_spec("aqt") is None:
        pytest.skip("Anki desktop (aqt) is not installed: pip install -e '.[test]'")
    desktop = AnkiDesktop(tmp_path_factory.mktemp("anki-desktop"))
    yield desktop
    desktop.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
