"""``mlanki sync --anki-connect``: the issue's scenario against a real Anki desktop, read back after it stopped."""

from __future__ import annotations

import http.server
import os
import socket
import threading

from anki.collection import Collection

from anki_support import fresh_collection, import_package, review_all, snapshot
from mlanki.sync.ankiconnect import AnkiConnect
from .sync_scenario import DECK, PADLOCK, RENAMED_TITLE, RETIRED_TAG, UDP, V1_NOW, V2_NOW, Project, add_own_notes, check_v2, \
    own_notes, questions


def everything(anki: AnkiConnect):
    """All notes and cards as AnkiConnect shows them (fields, tags, decks, queues, mod times)."""
    return (anki.call("notesInfo", notes=anki.call("findNotes", query="deck:*")),
            anki.call("cardsInfo", cards=anki.call("findCards", query="deck:*")))


def test_sync_through_anki_connect(anki_desktop, tmp_path):
    col = Collection(os.fspath(anki_desktop.collection))
    add_own_notes(col)
    # A learner's card in the deck's own subdeck: AnkiConnect cannot rename decks, so this subdeck
    # stays under the old title, with the card, while the deck's cards move to the new title.
    mine = col.new_note(col.models.by_name("Basic"))
    mine["Front"], mine["Back"] = "my own question", "my own answer"
    col.add_note(mine, col.decks.id(f"{DECK}::Layers"))
    review_all(col)
    own = own_notes(col)
    col.close()
    project = Project(tmp_path / "project")
    project.write("v1")
    anki_desktop.start()
    anki = AnkiConnect(anki_desktop.url)

    first = project.mlanki("sync", "--anki-connect", anki_desktop.url, now=V1_NOW)
    assert first.exit_code == 0, first.output
    assert f"{DECK}: 6 added, 0 updated" in first.stdout
    ours = anki.call("findCards", query=f'"deck:{DECK}" -note:Basic')  # not the learner's own card
    assert len(ours) == 7, "the added cards are not in the deck"
    assert anki.call("answerCards", answers=[{"cardId": c, "ease": 3} for c in ours]) == [True] * 7
    probe = fresh_collection(tmp_path)
    import_package(probe, project.package)
    v1 = questions(probe)  # the package's GUIDs, as Anki reads them
    history = {**{n.guid: n.card_count for n in snapshot(probe).notes}, **{n.guid: 1 for n in own}}
    probe.close()

    project.write("v2", RENAMED_TITLE)
    before = everything(anki)
    dry = project.mlanki("sync", "--anki-connect", anki_desktop.url, "--dry-run", now=V2_NOW)
    assert dry.exit_code == 0, dry.output
    assert f"{RENAMED_TITLE}: 1 added, 5 updated, 4 moved, 1 renamed, 1 retired, 0 deleted" in dry.stdout
    assert f"added: {PADLOCK}" in dry.stdout
    assert everything(anki) == before, "--dry-run changed the collection"

    real = project.mlanki("sync", "--anki-connect", anki_desktop.url, now=V2_NOW)
    assert real.exit_code == 0, real.output
    (retired,) = anki.call("findNotes", query=f'"tag:{RETIRED_TAG}"')
    (info,) = anki.call("notesInfo", notes=[retired])
    assert UDP in info["fields"]["Question"]["value"]
    assert {c["queue"] for c in anki.call("cardsInfo", cards=info["cards"])} == {-1}
    again = project.mlanki("sync", "--anki-connect", anki_desktop.url, now=V2_NOW)
    assert "(nothing to change)" in again.stdout, again.stdout
    deleting = project.mlanki("sync", "--anki-connect", anki_desktop.url, "--delete-retired", now=V2_NOW)
    assert "1 deleted" in deleting.stdout

    anki_desktop.stop()
    col = Collection(os.fspath(anki_desktop.collection))
    try:
        check_v2(col, v1, history, own, RENAMED_TITLE, deleted=True, kept_decks=(DECK, f"{DECK}::Layers"))
    finally:
        col.close()


def test_unreachable_anki_gets_one_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    project = Project(tmp_path / "project")
    project.write("v1")
    result = project.mlanki("sync", "--anki-connect", f"http://127.0.0.1:{port}", now=V1_NOW)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"cannot reach Anki at http://127.0.0.1:{port} (")
    assert line.endswith("start Anki with the AnkiConnect add-on (code 2055492159) installed")


class _NotAnkiConnect(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = b"<html>some other web app</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_without_the_add_on_gets_one_line(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotAnkiConnect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        project = Project(tmp_path / "project")
        project.write("v1")
        result = project.mlanki("sync", "--anki-connect", url, now=V1_NOW)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{url} answered, but not as AnkiConnect: is the add-on installed?"
