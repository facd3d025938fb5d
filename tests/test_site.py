"""``mlanki site`` and the release pipeline without a browser: what is written, from which outputs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import BUNDLED, FIXED_NOW, ROOT
from mlanki.build import build
from mlanki.cli import cli
from mlanki.site.build import build_site
from site_support import FIXTURE, copy_source

SLUG = "machine-learning-micro-learning"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
RELEASE_BUILD = ROOT / ".github" / "scripts" / "release-build.sh"
BIN = Path(sys.executable).parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_site_builds_missing_packages_then_publishes_them(project):
    result = run("site")
    assert result.exit_code == 0, result.output
    assert "Machine Learning Micro-Learning 1.0.0: 21 cards on 1 page" in result.stdout
    site = project / "build" / "site"
    for name in (f"{SLUG}.apkg", f"{SLUG}-1.0.0.apkg"):
        assert (site / "downloads" / name).read_bytes() == (project / "build" / name).read_bytes()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="downloads/{SLUG}.apkg"' in index and "version 1.0.0" in index
    assert "General Machine Learning" in index and "Changelog" in index
    assert (site / SLUG / "index.html").is_file() and not (project / "build" / ".site-staging").exists()
    assert (site / "static" / "mathjax").exists()   # the bundled deck's repaired formulas (K=1) need MathJax


def test_site_without_the_site_extra_says_how_to_install_it(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "anki", None)   # import anki now raises ImportError
    monkeypatch.setitem(sys.modules, "anki.collection", None)
    result = CliRunner().invoke(cli, ["site"])
    assert result.exit_code == 1
    assert result.stderr == "mlanki site needs Anki's renderer: pip install 'mlanki[site]' (the anki and jinja2 packages)\n"
    assert not (project / "build").exists()


def test_same_packages_give_the_same_site_from_any_folder(tmp_path, monkeypatch):
    sites = []
    for name in ("one", "two"):
        folder = tmp_path / name
        copy_source(FIXTURE, folder)
        monkeypatch.chdir(folder)   # cards name their source relative to the working folder
        build("source", "build", now=FIXED_NOW)
        sites.append(build_site("source", "build").folder.resolve())
    first, second = tree(sites[0]), tree(sites[1])
    assert first == second and "site-fixture-deck/index.html" in first and len(first) >= 8


def test_site_shows_the_latest_version_and_lists_every_versioned_file(project):
    build(now=FIXED_NOW)
    text = BUNDLED.read_text(encoding="utf-8")
    added = "#### What is a site test question?\nAn answer.\n\n***\n"
    (project / "source" / BUNDLED.name).write_text(text.replace("#### How does KNN", added + "#### How does KNN", 1),
                                                   encoding="utf-8")
    assert build(now=FIXED_NOW + 60).decks[0].version == "1.1.0"
    result = build_site()
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    assert result.decks[0].version == "1.1.0" and "version 1.1.0" in index
    assert f'href="downloads/{SLUG}-1.0.0.apkg"' in index and f'href="downloads/{SLUG}-1.1.0.apkg"' in index
    assert "What is a site test question?" in index   # the changelog's "Added" list of 1.1.0
    deck = (result.folder / SLUG / "index.html").read_text(encoding="utf-8")
    assert deck.count('class="site-card"') == 22


def test_retired_cards_are_counted_not_listed(project):
    build(now=FIXED_NOW)
    text = BUNDLED.read_text(encoding="utf-8")
    start = text.index("#### What is FID score?")
    (project / "source" / BUNDLED.name).write_text(text[:start] + text[text.index("***", start) + 3:],
                                                   encoding="utf-8")
    build(now=FIXED_NOW + 60)
    result = build_site()
    deck = (result.folder / SLUG / "index.html").read_text(encoding="utf-8")
    assert "What is FID score?" not in deck and deck.count('class="site-card"') == 19
    assert "2 retired cards are in the package" in (result.folder / "index.html").read_text(encoding="utf-8")


def test_a_broken_package_fails_cleanly_and_keeps_the_previous_site(project):
    assert run("site").exit_code == 0
    before = tree(project / "build" / "site")
    (project / "build" / f"{SLUG}.apkg").write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["site"])
    assert result.exit_code == 1 and "Anki cannot import this package" in result.stderr
    assert result.stderr.startswith(f"build/{SLUG}.apkg: ") and "Traceback" not in result.output
    assert tree(project / "build" / "site") == before and not (project / "build" / ".site-staging").exists()


def test_release_workflow_is_a_valid_github_workflow():
    checked = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = WORKFLOW.read_text(encoding="utf-8")
    for step in ("pytest", ".github/scripts/release-build.sh", "mlanki site", "gh release upload",
                 "actions/deploy-pages"):
        assert step in text


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=folder, check=True,
                   capture_output=True)


def _recorded_version(source: Path = BUNDLED.parent) -> str:
    """The version a record was last released at."""
    releases = json.loads((source / "mlanki.lock").read_text(encoding="utf-8"))["releases"]
    (history,) = releases.values()
    return history[-1]["version"]


def _project_with_a_current_record(folder: Path) -> str:
    """A git project whose commit holds the bundled source and the record this mlanki builds for it
    (what a maintainer has after step 1 and 2 of a release); returns the record's version."""
    copy_source(BUNDLED.parent, folder)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["mlanki", "build"], cwd=folder, env=env, check=True, capture_output=True)
    shutil.rmtree(folder / "build")
    _git(folder, "init", "-q")
    _git(folder, "add", "source")
    _git(folder, "commit", "-qm", "release")
    return _recorded_version(folder / "source")


def _release(folder: Path, version: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", RELEASE_BUILD, version], cwd=folder, env=env, capture_output=True, text=True)


def test_release_build_passes_when_the_record_of_the_version_is_committed(tmp_path):
    version = _project_with_a_current_record(tmp_path)
    released = _release(tmp_path, version)
    assert released.returncode == 0, released.stderr
    assert (tmp_path / "build" / f"{SLUG}-{version}.apkg").is_file()
    assert subprocess.run(["git", "diff", "--quiet"], cwd=tmp_path).returncode == 0


def test_release_build_fails_when_the_record_was_not_built_and_committed(tmp_path):
    recorded = _project_with_a_current_record(tmp_path)
    major, minor, _patch = recorded.split(".")
    wanted = f"{major}.{int(minor) + 1}.0"
    released = _release(tmp_path, wanted)
    assert released.returncode == 1
    assert f"the tagged commit's record is at '{recorded}', not {wanted}" in released.stderr
    assert f"run 'mlanki build --release {wanted}', commit source/mlanki.lock" in released.stderr
    assert _release(tmp_path, "v1.1").returncode == 1


def test_release_build_fails_when_the_sources_changed_after_the_record_was_built(tmp_path):
    version = _project_with_a_current_record(tmp_path)
    source = tmp_path / "source" / BUNDLED.name
    source.write_text(source.read_text(encoding="utf-8").replace("How does KNN work", "How does k-NN work", 1),
                      encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "edit after the release build")
    released = _release(tmp_path, version)
    assert released.returncode == 1
    assert f"its record is at {version}, but building the tagged sources" in released.stderr
    assert "run 'mlanki build', commit source/mlanki.lock" in released.stderr


def test_release_build_fails_when_the_record_is_not_committed_at_all(tmp_path):
    shutil.copytree(BUNDLED.parent, tmp_path / "source", ignore=shutil.ignore_patterns("mlanki.lock"))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "source")
    _git(tmp_path, "commit", "-qm", "no record")
    released = _release(tmp_path, "1.0.0")
    assert released.returncode == 1 and "'no release', not 1.0.0" in released.stderr


def _card(number: int, topic: str):
    from mlanki.site.cards import Card

    return Card(number, 1, topic, "basic", 1, f"<p>Q{number}</p>", f"<p>Q{number}</p><p>A</p>", f"Q{number} A",
                f"Q{number}", "")


def test_pages_split_topics_and_keep_their_ids_unique():
    from mlanki.site.cards import DeckView
    from mlanki.site.pages import DeckPages, pager

    cards = [_card(1, "C++"), _card(2, "C++"), _card(3, "C++"), _card(4, "C"), _card(5, "C--")]
    deck = DeckPages("d", DeckView("D", "", {1: ""}, tuple(cards), 0, ()), "1.0.0", [], "", page_size=2)
    assert [[(topic, [c.id for c in cs], continued) for topic, cs, continued in page] for page in deck.pages] == [
        [("C++", [1, 2], False)], [("C++", [3], True), ("C", [4], False)], [("C--", [5], False)]]
    assert deck.toc() == [("C++", 3, "index.html#topic-c"), ("C", 1, "page-2.html#topic-c-2"),
                          ("C--", 1, "page-3.html#topic-c-3")]
    assert pager(5, 21) == [1, None, 3, 4, 5, 6, 7, None, 21]
    assert pager(1, 1) == [1] and pager(2, 3) == [1, 2, 3]


def test_a_project_with_two_decks_gets_one_index_and_a_folder_per_deck(tmp_path, monkeypatch):
    source = copy_source(FIXTURE, tmp_path)
    shutil.copy(BUNDLED, source / BUNDLED.name)
    monkeypatch.chdir(tmp_path)
    result = build_site("source", "build")
    assert sorted(d.slug for d in result.decks) == [SLUG, "site-fixture-deck"]
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    assert "<h1>Anki decks</h1>" in index
    for deck in result.decks:
        assert f'<h2 id="deck-{deck.slug}">' in index and f'href="downloads/{deck.slug}.apkg"' in index
        assert (result.folder / deck.slug / "index.html").is_file()


def test_site_that_has_to_build_bad_sources_says_file_line_and_writes_nothing(project):
    source = project / "source" / BUNDLED.name
    source.write_text(source.read_text(encoding="utf-8").replace(
        "#### How does KNN work", "#### What does this show?\n![a plot](missing.png)\n\n***\n#### How does KNN work", 1),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["site"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"^source/ml-micro-learning\.md:\d+(:\d+)?: error: .*missing\.png", result.stderr, re.M)
    assert not (project / "build" / "site").exists() and not list((project / "build").glob("*.apkg"))


def test_site_quiet_prints_only_problems(project):
    result = CliRunner().invoke(cli, ["site", "-q"])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("source/ml-micro-learning.md:79: warning:")   # from the build it made
    assert (project / "build" / "site" / "index.html").is_file()
