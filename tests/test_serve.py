"""``mlanki serve`` over real HTTP on 127.0.0.1: pages served, rebuilt on save, errors shown, nothing published.

One preview serves the module's tests in order (its first build is the slow part); each test that
edits the source puts it back, and waits a bounded time for the rebuild it caused.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from mlanki.errors import MlankiError
from mlanki.serve import MARKER, STATUS_PATH, Preview
from site_support import FIXTURE, copy_source, start_browser

WAIT = 90  # seconds: bounded, and generous for a loaded 2-core machine
QUESTION = "What is a zebrafish lantern?"


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def status(preview: Preview) -> dict:
    return json.loads(fetch(preview.url.rstrip("/") + STATUS_PATH)[1])


def wait_for_build(preview: Preview, after: int) -> dict:
    """The status once a build newer than ``after`` has finished; fails after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        now = status(preview)
        if now["version"] > after:
            return now
        time.sleep(0.1)
    pytest.fail(f"no rebuild within {WAIT} s of the edit")


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(preview, the served source file, its original text, the project folder); watching in a thread."""
    folder = tmp_path_factory.mktemp("serve")
    (folder / "setup.cfg").write_text("[mlanki]\n", encoding="utf-8")
    source = copy_source(FIXTURE, folder)
    before = os.getcwd()
    os.chdir(folder)
    lines: list[str] = []
    preview = Preview("source", port=0, report=lines.append)
    preview.lines = lines
    watcher = threading.Thread(target=preview.watch, daemon=True)
    watcher.start()
    time.sleep(0.5)  # let the watcher start before the first test saves
    file = source / "site-fixture.md"
    yield preview, file, file.read_text(encoding="utf-8"), folder
    preview.close()
    watcher.join(10)
    os.chdir(before)


def deck_page(preview: Preview) -> str:
    pages = sorted(p for p in preview.workspace.site.glob("*/index.html"))
    return preview.url + pages[0].relative_to(preview.workspace.site).as_posix()


def test_pages_are_served_with_the_reload_added_and_files_as_written(served):
    preview, _file, _text, _folder = served
    assert preview.url.startswith("http://127.0.0.1:")
    code, index = fetch(preview.url)
    assert code == 200 and "Site Fixture Deck" in index
    assert 'id="mlanki-serve-reload"' in index and "mlanki-serve-errors" not in index
    on_disk = (preview.workspace.site / "index.html").read_text(encoding="utf-8")
    assert re.sub(r'<script id="mlanki-serve-reload">.*?</script>', "", index, flags=re.S) == on_disk
    code, page = fetch(deck_page(preview))
    assert code == 200 and QUESTION in page
    css = next(preview.workspace.site.glob("static/*.css"))
    with urllib.request.urlopen(preview.url + "static/" + css.name, timeout=30) as response:
        assert response.read() == css.read_bytes()


def test_a_saved_edit_is_served_after_the_rebuild(served):
    preview, file, text, _folder = served
    version = status(preview)["version"]
    save(file, text.replace(QUESTION, "What is a zebrafish lighthouse?"))
    try:
        assert wait_for_build(preview, version)["errors"] == []
        page = fetch(deck_page(preview))[1]
        assert "What is a zebrafish lighthouse?" in page and QUESTION not in page
    finally:
        version = status(preview)["version"]
        save(file, text)
        wait_for_build(preview, version)
    assert QUESTION in fetch(deck_page(preview))[1]


def test_a_broken_edit_shows_file_line_and_keeps_the_last_good_site(served):
    preview, file, text, _folder = served
    version = status(preview)["version"]
    broken = text.replace("A single red square.", "A single red square.\n![gone](missing.png)")
    line = broken.split("\n").index("![gone](missing.png)") + 1
    save(file, broken)
    try:
        errors = wait_for_build(preview, version)["errors"]
        expected = f"source/site-fixture.md:{line}: error: image 'missing.png' not found"
        assert errors == [expected]
        index = fetch(preview.url)[1]
        assert 'id="mlanki-serve-errors"' in index and expected.replace("'", "&#x27;") in index
        assert QUESTION in fetch(deck_page(preview))[1]  # the last good site, still served
        assert expected in preview.lines  # and in the terminal
    finally:
        version = status(preview)["version"]
        save(file, text)
    assert wait_for_build(preview, version)["errors"] == []
    assert "mlanki-serve-errors" not in fetch(preview.url)[1]


def test_nothing_of_the_preview_is_published_or_written_to_the_project(served):
    preview, _file, _text, folder = served
    site_files = [p for p in preview.workspace.site.rglob("*") if p.is_file()]
    assert len(site_files) > 5
    for path in site_files:
        if path.suffix in (".html", ".js", ".css"):
            content = path.read_text(encoding="utf-8", errors="replace")
            assert "mlanki-serve" not in content and STATUS_PATH not in content, path
    # The record and every package stay in the workspace: the project has no build/ and no new record.
    assert not (folder / "build").exists()
    assert not (folder / "source" / "mlanki.lock").exists()
    assert (preview.workspace.record).is_file()


def test_a_folder_that_is_not_a_preview_workspace_is_never_cleared(tmp_path, monkeypatch):
    copy_source(FIXTURE, tmp_path)
    (tmp_path / "build").mkdir()
    keep = tmp_path / "build" / "deck.apkg"
    keep.write_bytes(b"released")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MlankiError, match="not a workspace of mlanki serve"):
        Preview("source", tmp_path / "build", port=0)
    assert keep.read_bytes() == b"released"


def test_the_command_serves_until_terminated_and_leaves_the_project_alone(tmp_path):
    source = copy_source(FIXTURE, tmp_path)
    output = tmp_path / "preview"
    child = subprocess.Popen([sys.executable, "-m", "mlanki", "serve", str(source), "-o", str(output), "--port", "0"],
                             cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + WAIT
        while url is None and time.monotonic() < deadline:
            line = child.stderr.readline()
            assert line, "mlanki serve stopped before serving"
            url = (re.search(r"Serving (http://127\.0\.0\.1:\d+/)", line) or [None, None])[1]
        assert url, "mlanki serve did not say where it serves"
        assert "Site Fixture Deck" in fetch(url)[1]
        assert (output / MARKER).is_file() and (output / "build" / "site" / "index.html").is_file()
    finally:
        child.terminate()
        assert child.wait(30) == 130  # stopped like Ctrl-C: the CLI's "interrupted"
    assert not (tmp_path / "build").exists() and not (source / "mlanki.lock").exists()


def test_a_saved_edit_appears_in_the_browser_without_a_reload(served):
    preview, file, text, _folder = served
    browser = start_browser()
    try:
        page = browser.context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(preview.url)
                   else route.abort())
        page.goto(deck_page(preview))
        assert QUESTION in page.inner_text("body")
        page.evaluate("window.loadedBeforeTheEdit = true")
        save(file, text.replace(QUESTION, "What is a zebrafish beacon?"))
        page.wait_for_function("document.body && document.body.innerText.includes('What is a zebrafish beacon?')",
                               timeout=WAIT * 1000)  # the body is null for a moment while the page reloads
        assert page.evaluate("window.loadedBeforeTheEdit === undefined")  # the page reloaded itself
        broken = text.replace("A single red square.", "A single red square.\n![gone](missing.png)")
        save(file, broken)
        page.wait_for_selector("#mlanki-serve-errors", timeout=WAIT * 1000)
        assert "site-fixture.md:" in page.inner_text("#mlanki-serve-errors")
        assert "What is a zebrafish beacon?" in page.inner_text("body")  # the last good site
        save(file, text)
        page.wait_for_function(f"document.body && document.body.innerText.includes({QUESTION!r}) && "
                               "!document.getElementById('mlanki-serve-errors')", timeout=WAIT * 1000)
    finally:
        save(file, text)
        browser.close()


def test_a_first_build_that_fails_serves_its_errors_until_a_good_save(tmp_path, monkeypatch):
    source = copy_source(FIXTURE, tmp_path)
    file = source / "site-fixture.md"
    text = file.read_text(encoding="utf-8")
    save(file, text.replace("![A red square](square.png)", "![A red square](absent.png)"))
    monkeypatch.chdir(tmp_path)
    with Preview("source", port=0, report=lambda line: None) as preview:
        first = status(preview)
        assert first["errors"] and first["errors"][0].startswith("source/site-fixture.md:")
        code, page = fetch(preview.url)
        assert code == 200 and "No site yet" in page and 'id="mlanki-serve-errors"' in page
        watcher = threading.Thread(target=preview.watch, daemon=True)
        watcher.start()
        time.sleep(0.5)
        save(file, text)
        assert wait_for_build(preview, first["version"])["errors"] == []
        assert "Site Fixture Deck" in fetch(preview.url)[1]
    watcher.join(10)
    assert not watcher.is_alive()


def test_the_status_answers_a_page_once_a_build_is_newer_than_its_own(served):
    preview, _file, _text, _folder = served
    version = status(preview)["version"]
    asked = preview.url.rstrip("/") + STATUS_PATH + "?wait="
    assert json.loads(fetch(asked + str(version - 1))[1])["version"] == version  # an older page: at once
    threading.Timer(0.5, preview.status.update, args=([],)).start()  # what a finished build does
    assert json.loads(fetch(asked + str(version))[1])["version"] == version + 1  # waited for it
