"""The command line: exit codes, messages on stderr as file:line, nothing lost on bad input.

Exact wording is checked on the frozen fixture (``project``); each item of issue 14 has a test here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlanki.cli import cli

APKG = Path("build/machine-learning-micro-learning.apkg")
SOURCE = Path("source/ml-micro-learning.md")
TINY = "# **Tiny**\n## **Topic1: T**\n#### What is 2+2?\n4.\n"
WARNING_79 = ("source/ml-micro-learning.md:79: warning: multiple-choice question has options but no answer: "
              "For a binary classification problem, which activation…")


def run(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def python_m(*args: str, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlanki", *args], capture_output=True, text=True, cwd=cwd)


# -- build: summary and files ---------------------------------------------------------------------
def test_build_prints_summary_and_warning(project):
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Machine Learning Micro-Learning 1.0.0: build/machine-learning-micro-learning-1.0.0.apkg "
        "(first release, 21 notes)",
        "  General Machine Learning: 7 notes (4 basic, 3 multiple choice)",
        "  Deep Learning: 11 notes (9 basic, 1 multiple choice, 1 definition cloze)",
        "  Generative Models: 3 notes (2 basic, 1 definition cloze)",
        "note: ml-micro-learning.md: no record of this deck and no released package in build: starting a new "
        "identity (commit the record file; keep released packages to recover from)",
    ]
    assert result.stderr.splitlines() == [
        WARNING_79,
        "    hint: write the answer after the options, e.g. 'The correct answer is option 2.'",
        "0 errors, 1 warning; and 14 warnings from lint rules (`mlanki check` lists them)",
    ]
    assert APKG.is_file() and Path("build/machine-learning-micro-learning-1.0.0.apkg").is_file()
    assert Path("source/mlanki.lock").is_file()


def test_second_build_reports_no_change_with_topics_in_the_same_order(project):
    first = run("build")
    again = run("build")
    assert again.exit_code == 0 and "No content change: nothing written." in again.stdout
    topics = [line for line in first.stdout.splitlines() if line.startswith("  ")]
    assert [line for line in again.stdout.splitlines() if line.startswith("  ")] == topics
    assert "(unchanged, 21 notes)" in again.stdout


def test_build_of_a_fresh_clone_does_not_claim_no_change(project):
    """The record is committed, build/ is not: the packages are written with the recorded version."""
    run("build")
    for path in Path("build").iterdir():
        path.unlink()
    result = run("build")
    assert result.exit_code == 0
    assert "(written, same notes as release 1.0.0, 21 notes)" in result.stdout
    assert "no content change" not in result.stdout.lower() and APKG.is_file()


def test_one_note_is_singular(project):
    SOURCE.write_text(TINY, encoding="utf-8")
    result = run("build")
    assert "T: 1 note (1 basic)" in result.stdout and "1 notes" not in result.stdout
    assert "(first release, 1 note)" in result.stdout


def test_summary_counts_notes_like_diff(project):
    run("build")
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(text.replace("#### What is FID score?", "#### What is a new question?\nAn answer.\n***\n"
                                   "#### What is FID score?"), encoding="utf-8")
    assert "(1 added, 0 changed, 0 retired)" in run("diff").stdout
    result = run("build")
    assert "changes: 1 added, 0 changed, 0 retired" in result.stdout
    assert " cards" not in result.stdout, "the summary counts notes, as diff does"


def test_verbose_lists_every_topic_and_quiet_prints_only_problems(project):
    topics = "".join(f"## **Topic{n}: T{n}**\n#### What is {n}?\n{n}.\n" for n in range(35))
    SOURCE.write_text("# **Many**\n" + topics, encoding="utf-8")
    normal = run("build")
    assert "... and 5 more topics with 5 notes (-v shows all)" in normal.stdout
    verbose = run("build", "-v")
    assert "T34: 1 note (1 basic)" in verbose.stdout and "more topics" not in verbose.stdout
    assert verbose.stderr.startswith("settings: none found, defaults; source: source; output: build")
    quiet = run("build", "-q")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert run("build", "-q", "-v").exit_code == 2


# -- errors and exit codes -------------------------------------------------------------------------
def test_strict_says_warnings_were_promoted_and_writes_nothing(project):
    result = run("build", "--strict")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == WARNING_79.replace(": warning: ", ": error: ") + " (a warning; strict makes it an error)"
    assert lines[1].startswith("    hint: write the answer after the options")
    assert lines[-1] == ("1 error, 0 warnings (1 of the errors is a warning made an error by strict mode); "
                         "nothing was written.")
    assert not APKG.exists() and not Path("source/mlanki.lock").exists()


def test_build_errors_have_hints_and_a_count_line(project):
    assert run("build").exit_code == 0
    deck, record = APKG.read_bytes(), Path("source/mlanki.lock").read_bytes()
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(text.replace("#### What is FID score?", "#### What is batch normalization?"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "source/ml-micro-learning.md:79: warning: multiple-choice question has options but no answer: "
        "For a binary classification problem, which activation…",
        "    hint: write the answer after the options, e.g. 'The correct answer is option 2.'",
        "source/ml-micro-learning.md:188: error: duplicate question (also at source/ml-micro-learning.md:99): "
        "What is batch normalization?",
        "    hint: reword one of them, or give each <!-- mlanki-id: NAME -->",
        "1 error, 1 warning; nothing was written.",
    ]
    assert "Traceback" not in result.output
    assert APKG.read_bytes() == deck and Path("source/mlanki.lock").read_bytes() == record


def test_build_and_check_write_a_finding_the_same_way(project):
    built, checked = run("build"), run("check")
    assert WARNING_79 in built.stderr.splitlines() and WARNING_79 in checked.stderr.splitlines()
    assert checked.stdout == "" and built.stderr.splitlines()[-1].startswith("0 errors, 1 warning;")
    # Build and check agree: check's 15 warnings are build's 1 plus the 14 lint findings it counts.
    assert built.stderr.splitlines()[-1] == "0 errors, 1 warning; and 14 warnings from lint rules (`mlanki check` lists them)"
    assert checked.stderr.splitlines()[-1] == "0 errors, 15 warnings (14 of them from lint rules)"


@pytest.mark.parametrize("args, wrong", [
    (["check", "nosuchdir"], "Invalid value for '[SOURCE]': Path 'nosuchdir' does not exist."),
    (["build", "nowhere"], "Invalid value for '[SOURCE]': Path 'nowhere' does not exist."),
    (["build", "--release", "abc"], "Invalid value for '--release': 'abc' is not a version like 1.2.3"),
    (["build", "--no-such-flag"], "No such option '--no-such-flag'."),
    (["diff", "--format", "yaml"], "Invalid value for '--format'"),
    (["build", "--config", "missing.cfg"], "Invalid value for '--config': File 'missing.cfg' does not exist."),
])
def test_wrong_usage_exits_2_with_clicks_error_line(project, args, wrong):
    result = run(*args)
    assert result.exit_code == 2
    assert "Error: " + wrong in result.stderr
    assert not Path("build").exists()


def test_problems_in_the_input_exit_1_in_a_real_process(project):
    Path("source/ml-micro-learning.md").write_text("# **D**\n## **T**\n#### What?\n![x](gone.png)\n",
                                                   encoding="utf-8")
    done = python_m("build")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "source/ml-micro-learning.md:4: error: image 'gone.png' not found"
    assert done.stderr.splitlines()[-1] == "1 error, 0 warnings; nothing was written."
    assert python_m("check", "nosuchdir").returncode == 2


def test_ctrl_c_exits_130(project, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("mlanki.build.build", interrupted)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 130
    assert "Interrupted" in result.stderr and "Traceback" not in result.output


def test_sigint_in_a_real_process_exits_130(project):
    """A real SIGINT during a build: the process ends with 130 and no traceback."""
    script = ("import os, signal, mlanki.build, mlanki.cli\n"
              "def build(*a, **k):\n"
              "    os.kill(os.getpid(), signal.SIGINT)\n"
              "mlanki.build.build = build\n"
              "mlanki.cli.main()\n")
    done = subprocess.run([sys.executable, "-c", script, "build"], capture_output=True, text=True)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Interrupted" in done.stderr


# -- options ---------------------------------------------------------------------------------------
def test_other_source_and_output_folder(project):
    Path("notes").mkdir()
    Path("notes/deck.md").write_text(TINY, encoding="utf-8")
    result = run("build", "notes", "--output", "out")
    assert result.exit_code == 0, result.stderr
    assert Path("out/tiny-1.0.0.apkg").is_file() and Path("notes/mlanki.lock").is_file()


def test_output_file_name_ending_in_apkg(project):
    result = run("build", "-o", "mydeck.apkg")
    assert result.exit_code == 0, result.stderr
    assert Path("mydeck.apkg").is_file() and not Path("mydeck.apkg").is_dir()
    assert Path("mydeck-1.0.0.apkg").read_bytes() == Path("mydeck.apkg").read_bytes()
    assert "mydeck-1.0.0.apkg (first release" in result.stdout


def test_output_file_refused_for_two_decks(project):
    Path("source/other.md").write_text(TINY, encoding="utf-8")
    result = run("build", "-o", "mydeck.apkg")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("source: 2 sources make 2 decks; an output file (mydeck.apkg) holds one: "
                                     "give a folder")


def test_version_is_mlankis_and_release_is_the_decks(project):
    from mlanki import __version__

    assert run("--version").stdout == f"mlanki {__version__}\n"
    assert run("-V").stdout == f"mlanki {__version__}\n"
    result = run("build", "--release", "2.0.0")
    assert result.exit_code == 0 and Path("build/machine-learning-micro-learning-2.0.0.apkg").is_file()
    old = run("build", "--version", "2.1.0")
    assert old.exit_code == 0
    assert "build --version is deprecated; use --release" in old.stderr
    assert Path("build/machine-learning-micro-learning-2.1.0.apkg").is_file()


def test_colour_only_when_asked_for_a_terminal(project):
    plain = run("build", "--strict")
    assert "\x1b[" not in plain.output
    coloured = CliRunner().invoke(cli, ["build", "--strict"], color=True)
    assert "\x1b[31m" in coloured.stderr  # red "error"
    no_colour = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, ["build", "--strict"], color=True)
    assert "\x1b[" not in no_colour.stderr


def test_diff_shows_what_the_next_build_changes(project):
    run("build")
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(text.replace("To prevent overfitting.", "To reduce overfitting."), encoding="utf-8")
    result = run("diff")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Machine Learning Micro-Learning: 1.0.0 -> 1.0.1 (0 added, 1 changed, 0 retired)",
        "  ~ What is the purpose of dropout in neural networks?",
    ]
    assert json.loads(run("diff", "--format", "json").stdout) == [{
        "deck": "Machine Learning Micro-Learning", "previous": "1.0.0", "version": "1.0.1", "added": [],
        "changed": ["What is the purpose of dropout in neural networks?"], "retired": [], "notes": []}]
    assert Path("build/machine-learning-micro-learning-1.0.1.apkg").exists() is False


def test_verbose_diff_lists_every_question_and_quiet_check_only_problems(project):
    run("build")
    text = SOURCE.read_text(encoding="utf-8")
    for n in range(7):
        text = text.replace("#### What is FID score?", f"#### What is new question {n}?\nAnswer {n}.\n***\n"
                                                      "#### What is FID score?")
    SOURCE.write_text(text, encoding="utf-8")
    assert "  + ... and 2 more" in run("diff").stdout
    verbose = run("diff", "-v").stdout
    assert "  + What is new question 6?" in verbose and "more" not in verbose
    quiet = run("check", "-q")
    assert quiet.stdout == "" and "warning: repaired copy-pasted math" in quiet.stderr


def test_check_honours_strict_from_settings_and_the_flag(project):
    assert run("check").exit_code == 0
    flagged = run("check", "--strict")
    assert flagged.exit_code == 1
    assert "source/ml-micro-learning.md:17:209: error: repaired copy-pasted math" in flagged.stderr
    assert flagged.stderr.splitlines()[-1].startswith(
        "15 errors, 0 warnings (15 of the errors are warnings made an error by strict mode)")
    Path("setup.cfg").write_text("[mlanki]\nstrict = true   # warnings are errors\n", encoding="utf-8")
    assert run("check").exit_code == 1
    assert run("build").exit_code == 1


def test_help_shows_whole_descriptions_examples_and_exit_codes():
    top = run("--help").stdout
    for line in ("build   Build one .apkg per Markdown file of SOURCE.",
                 "check   Check SOURCE without writing anything.",
                 "diff    Show what the next build would change (writes nothing).",
                 "export  Write the parsed entries of SOURCE as JSON or CSV."):
        assert line in top
    assert "Exit codes: 0 done, 1 problems in the input" in top and "130 interrupted" in top
    assert "_MLANKI_COMPLETE=bash_source mlanki" in top
    for command in ("build", "check", "diff", "export"):
        text = run(command, "--help").stdout
        assert "Examples:" in text and "Exit codes:" in text and "--quiet" in text and "--config PATH" in text
    assert "--release X.Y.Z" in run("build", "--help").stdout
    assert "--version" not in run("build", "--help").stdout


def test_every_command_and_option_the_readme_shows_is_in_the_help():
    """A new user reading only --help finds everything the README's command list uses."""
    block = readme_block("## For maintainers")
    for line in block.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "mlanki":
            continue
        command = [w for w in words[1:2] if not w.startswith("-")]
        help_text = run(*command, "--help").stdout
        for option in (w for w in words[1:] if w.startswith("-")):
            assert re.search(rf"(^|[\s,]){re.escape(option)}\b", help_text, re.MULTILINE), (line, option)


def test_shell_completion_as_documented():
    done = subprocess.run([sys.executable, "-c", "from mlanki.cli import main; main()"], capture_output=True,
                          text=True, env={**os.environ, "_MLANKI_COMPLETE": "bash_source"})
    assert done.returncode == 0 and "complete -o nosort -F _mlanki_completion mlanki" in done.stdout


def test_python_dash_m_runs_the_same_command(project):
    done = python_m("build")
    assert done.returncode == 0, done.stderr
    assert "Generative Models: 3 notes" in done.stdout


# -- settings ---------------------------------------------------------------------------------------
def readme_block(after: str) -> str:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    return re.search(re.escape(after) + r".*?```\w*\n(.*?)```", readme, re.DOTALL).group(1)


def test_the_readmes_setup_cfg_example_works_when_copied(project):
    Path("setup.cfg").write_text(readme_block("<!-- settings: setup.cfg -->"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert APKG.is_file()


def test_the_readmes_pyproject_example_works_when_copied(project):
    Path("pyproject.toml").write_text(readme_block("<!-- settings: pyproject.toml -->"), encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert APKG.is_file()


def test_settings_are_found_from_a_subfolder(project):
    Path("setup.cfg").write_text("[mlanki]\nsource = source\noutput = dist\n", encoding="utf-8")
    Path("notes/deep").mkdir(parents=True)
    os.chdir("notes/deep")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert (project / "dist/machine-learning-micro-learning.apkg").is_file()
    assert run("check").exit_code == 0


def test_pyproject_tool_mlanki_is_read(project):
    Path("pyproject.toml").write_text('[tool.mlanki]\noutput = "decks"\nline_breaks = false\n', encoding="utf-8")
    assert run("build").exit_code == 0
    assert Path("decks/machine-learning-micro-learning.apkg").is_file()


def test_config_option_names_the_file(project):
    Path("conf").mkdir()
    Path("conf/mlanki.toml").write_text('[tool.mlanki]\nsource = "../source"\noutput = "../out"\n', encoding="utf-8")
    assert run("build", "--config", "conf/mlanki.toml").exit_code == 0
    assert Path("out/machine-learning-micro-learning.apkg").is_file()
    Path("other.cfg").write_text("[other]\nx = 1\n", encoding="utf-8")
    result = run("build", "--config", "other.cfg")
    assert result.exit_code == 1 and result.stderr.strip() == "other.cfg: has no [mlanki] section"


@pytest.mark.parametrize("config, message", [
    ("setup.cfg", "[mlanki]\nsource = source\ntopic_level = two   # comment\n"),
    ("setup.cfg", "[mlanki]\nquestion_style = fancy\n"),
    ("setup.cfg", "[mlanki]\ncolour = blue\n"),
    ("setup.cfg", "[mlanki]\njobs = many\n"),
    ("setup.cfg", "[mlanki]\njobs = 0\n"),
    ("pyproject.toml", '[tool.mlanki]\nline_breaks = "maybe"\n'),
    ("pyproject.toml", "[tool.mlanki\n"),
])
def test_bad_settings_name_the_key_the_value_and_what_is_allowed(project, config, message):
    Path(config).write_text(message, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 1
    expected = {
        "topic_level": "setup.cfg:3: [mlanki] topic_level = 'two' is not valid: expected a heading level 1 to 6",
        "fancy": "setup.cfg:2: [mlanki] question_style = 'fancy' is not valid: expected one of auto, heading, "
                 "bold, list",
        "colour": "setup.cfg:2: [mlanki] has an unknown setting 'colour'; known: source, output, topic_level, "
                  "question_level, question_style, line_breaks, missing_media, strict, source_url, math_repair, "
                  "jobs, parallel_min_bytes",
        "many": "setup.cfg:2: [mlanki] jobs = 'many' is not valid: expected a number of processes (1 or more), "
                "or auto for one per core",
        "jobs = 0": "setup.cfg:2: [mlanki] jobs = '0' is not valid: expected a number of processes (1 or more), "
                    "or auto for one per core",
        "maybe": "pyproject.toml:2: [tool.mlanki] line_breaks = 'maybe' is not valid: expected true or false",
        "[tool.mlanki\n": "pyproject.toml: cannot read settings: Expected ']' at the end of a table declaration "
                          "(at line 1, column 13)",
    }
    (key,) = [k for k in expected if k in message]
    assert result.stderr.strip() == expected[key]
    assert "Traceback" not in result.output


# -- export ----------------------------------------------------------------------------------------
def test_export_json_has_every_entry_as_text_and_html(project):
    result = run("export")
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)
    assert len(entries) == 19
    first = entries[0]
    assert first["file"] == "source/ml-micro-learning.md" and first["line"] == 16
    assert first["question"]["text"] == first["question"]["text"].strip() and "<" not in first["answer"]["text"]
    assert first["answer"]["html"].startswith("<")
    mc = [e for e in entries if e["kind"] == "multiple choice"]
    assert len(mc) == 4 and all(sum(o["correct"] for o in e["options"]) == 1 for e in mc)
    assert not Path("build").exists(), "export writes only what it was asked for"


def test_export_csv_to_a_file(project):
    import csv

    assert run("export", "--format", "csv", "-o", "entries.csv").exit_code == 0
    with open("entries.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 19
    assert rows[1]["kind"] == "multiple choice" and rows[1]["options"].count("\n* ") + \
        rows[1]["options"].startswith("* ") == 1


def test_export_stops_on_errors(project):
    SOURCE.write_text("# **D**\n## **T**\n#### What?\n![x](gone.png)\n", encoding="utf-8")
    result = run("export")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == "source/ml-micro-learning.md:4: error: image 'gone.png' not found"


# -- media ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("reference", ["![fig](my%20fig.png)", "![fig](<my fig.png>)"])
def test_image_paths_with_spaces_are_found(project, tmp_path, reference):
    from anki_support import fresh_collection, import_package, snapshot

    Path("source/my fig.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    SOURCE.write_text(f"# **D**\n## **T**\n#### What is shown?\n{reference}\n", encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    col = fresh_collection(tmp_path)
    try:
        import_package(col, Path("build/d.apkg"))
        (note,) = snapshot(col).notes
        (name,) = re.findall(r'src="([^"]+)"', note.fields["Answer"])
        assert name.endswith("my fig.png") and (Path(col.media.dir()) / name).is_file()
    finally:
        col.close()
