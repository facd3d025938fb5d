"""Settings: defaults, then the project's config file, then command-line flags (a flag given wins).

The config file is found like black finds its own: from SOURCE (when given) or the working folder,
each folder upward is searched for ``pyproject.toml`` with a ``[tool.mlanki]`` table or
``setup.cfg`` with an ``[mlanki]`` section; the first one found is used, and the search stops at a
folder holding ``.git``. ``--config PATH`` names the file instead. Paths in the file (``source``,
``output``) are relative to the file's folder, so every command works from any subfolder.
"""

from __future__ import annotations

import configparser
import re
import string
from dataclasses import dataclass, fields, replace
from pathlib import Path

from mlanki.errors import MlankiError

SETUP_CFG = "setup.cfg"
PYPROJECT = "pyproject.toml"
SECTION = "mlanki"
# Below this much Markdown to parse (the chunks the entry cache does not hold) a file is parsed in
# one process: starting workers and sending them chunks and entries back costs more than it saves.
# Measured on the project's 2-core machine (README, "Benchmarks": parallel threshold).
PARALLEL_MIN_BYTES = 100_000


@dataclass(frozen=True)
class Settings:
    """How to read the sources and where to write; every field has a default that fits Micro-Learning."""

    source: Path = Path("source")
    output: Path = Path("build")
    topic_level: int = 2
    question_level: int | None = None   # None: any heading below the topic level is a question
    question_style: str = "auto"        # auto | heading | bold | list
    line_breaks: bool = True
    missing_media: str = "error"        # error | warning
    strict: bool = False
    math_repair: bool = True             # repair math pasted twice ("KK" -> \(K\)), listed by `mlanki check`
    package_name: str | None = None     # "-o mydeck.apkg": the package's file name without .apkg
    source_url: str = ""                # link for the Source field: a URL with {path}, {line}, {version}
    deck_id: str = ""                   # front matter only: what identifies a deck, instead of its path
    jobs: int | None = None             # processes that parse a large file; None: one per core
    parallel_min_bytes: int = PARALLEL_MIN_BYTES  # less Markdown to parse than this: one process

    @staticmethod
    def default_deck_name(file: str) -> str:
        """A deck name for a source with no ``#`` title: its file name, words capitalised."""
        return Path(file).stem.replace("-", " ").replace("_", " ").strip().title() or "mlanki"

    def with_flags(self, **flags) -> "Settings":
        """These settings with every flag that was given (not None) applied."""
        return replace(self, **{k: v for k, v in flags.items() if v is not None})


@dataclass(frozen=True)
class ConfigFile:
    """Where settings were read from: the file, and the table or section name as written in it."""

    path: Path
    section: str

    @property
    def folder(self) -> Path:
        return self.path.parent


def find_config(start: Path | None = None) -> ConfigFile | None:
    """The nearest config file with mlanki settings, from ``start`` (a file or folder) upward."""
    folder = (start or Path.cwd()).resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for found in (_pyproject_at(candidate / PYPROJECT), _setup_cfg_at(candidate / SETUP_CFG)):
            if found:
                return found
        if (candidate / ".git").exists():
            return None
    return None


def load_settings(folder: Path | None = None, *, config: Path | None = None, **flags) -> Settings:
    """Settings for a run: the config file (``config``, or the one found from ``folder``), then the flags.

    ``folder`` is where the search starts: SOURCE when given, else the working folder.
    """
    if config is not None:
        found = _named_config(Path(config))
    else:
        found = find_config(folder if folder is not None else flags.get("source"))
    settings = Settings()
    if found:
        settings = _apply(settings, _read(found), found)
    return _package_file(settings.with_flags(**flags))


def _package_file(settings: Settings) -> Settings:
    """``output = mydeck.apkg``: that file (and ``mydeck-X.Y.Z.apkg`` beside it), not a folder of that name."""
    if settings.output.suffix.lower() != ".apkg":
        return settings
    return replace(settings, output=settings.output.parent, package_name=settings.output.stem)


# Settings a source file may choose for itself in its front matter (``mlanki:`` block).
PER_FILE = ("topic_level", "question_level", "question_style", "line_breaks", "missing_media", "source_url", "deck_id")
_URL_FIELDS = {"path", "line", "version"}
_CHOICES = {"question_style": ("auto", "heading", "bold", "list"), "missing_media": ("error", "warning")}
_FILE_KEYS = ("source", "output", "topic_level", "question_level", "question_style", "line_breaks",
              "missing_media", "strict", "source_url", "math_repair", "jobs", "parallel_min_bytes")


def convert(name: str, raw) -> object:
    """One setting's value from text (setup.cfg), TOML or YAML (front matter); ValueError says what is allowed."""
    if name in ("source", "output"):
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("expected a path")
        return Path(raw.strip())
    if name in ("topic_level", "question_level"):
        text = "" if raw is None else str(raw).strip().lower()
        if name == "question_level" and text in ("", "none", "auto"):
            return None
        allowed = "a heading level 1 to 6" + (" or auto" if name == "question_level" else "")
        if isinstance(raw, bool) or not text.isdigit() or not 1 <= int(text) <= 6:
            raise ValueError(f"expected {allowed}")
        return int(text)
    if name == "jobs":
        text = "" if raw is None else str(raw).strip().lower()
        if text == "auto":
            return None
        if isinstance(raw, bool) or not text.isdigit() or int(text) < 1:
            raise ValueError("expected a number of processes (1 or more), or auto for one per core")
        return int(text)
    if name == "parallel_min_bytes":
        text = str(raw).strip().replace("_", "")
        if isinstance(raw, bool) or not text.isdigit():
            raise ValueError("expected a number of bytes (0 or more)")
        return int(text)
    if name == "source_url":
        return _source_url(str(raw).strip())
    if name == "deck_id":
        value = str(raw).strip()
        if not re.fullmatch(r"[\w.:-]{1,100}", value):
            raise ValueError("a deck id is 1 to 100 letters, digits, '.', ':', '_' or '-'")
        return value
    if name in ("line_breaks", "strict", "math_repair"):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "yes", "true", "on"):
            return True
        if text in ("0", "no", "false", "off"):
            return False
        raise ValueError("expected true or false")
    value = str(raw).strip().lower()
    if value not in _CHOICES[name]:
        raise ValueError(f"expected one of {', '.join(_CHOICES[name])}")
    return value


def _source_url(template: str) -> str:
    if not template:
        return ""
    if not re.match(r"^https?://", template):
        raise ValueError("expected an http:// or https:// URL, optionally with {path}, {line} and {version}")
    try:
        used = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}
    except ValueError as problem:
        raise ValueError(f"the URL template is malformed ({problem})") from None
    if used - _URL_FIELDS:
        raise ValueError(f"unknown placeholder(s) {', '.join(sorted(used - _URL_FIELDS))}; "
                         "allowed: {path}, {line}, {version}")
    return template


# -- reading the files ---------------------------------------------------------------------------
def _pyproject_at(path: Path) -> ConfigFile | None:
    if not path.is_file():
        return None
    path = _relative_to_cwd(path)
    table = _toml(path).get("tool", {})
    return ConfigFile(path, "[tool.mlanki]") if isinstance(table, dict) and SECTION in table else None


def _setup_cfg_at(path: Path) -> ConfigFile | None:
    if not path.is_file():
        return None
    path = _relative_to_cwd(path)
    return ConfigFile(path, f"[{SECTION}]") if _cfg(path).has_section(SECTION) else None


def _named_config(path: Path) -> ConfigFile:
    if not path.is_file():
        raise MlankiError(f"{path}: no such config file")
    found = _pyproject_at(path) if path.suffix == ".toml" else _setup_cfg_at(path)
    if found is None:
        wanted = "[tool.mlanki] table" if path.suffix == ".toml" else f"[{SECTION}] section"
        raise MlankiError(f"{path}: has no {wanted}")
    return found


def _toml(path: Path) -> dict:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as problem:
        raise MlankiError(f"{path}: cannot read settings: {problem}") from None


def _cfg(path: Path) -> configparser.ConfigParser:
    # Inline comments (``topic_level = 2   # ...``) as the README shows them.
    parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"), interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as problem:
        raise MlankiError(f"{path}: cannot read settings: {problem}") from None
    return parser


def _read(found: ConfigFile) -> dict:
    if found.path.name.endswith(".toml"):
        return dict(_toml(found.path)["tool"][SECTION])
    return dict(_cfg(found.path)[SECTION])


def _apply(settings: Settings, values: dict, found: ConfigFile) -> Settings:
    chosen = {}
    for key, raw in values.items():
        name = str(key).replace("-", "_")
        where = f"{found.path}:{_line_of(found, key)}"
        if name == "deck_id":
            raise MlankiError(f"{where}: {found.section} deck_id is set per source file, in its front matter "
                              "(mlanki: deck_id: NAME)")
        if name not in _FILE_KEYS:
            raise MlankiError(f"{where}: {found.section} has an unknown setting {key!r}; "
                              f"known: {', '.join(_FILE_KEYS)}")
        try:
            chosen[name] = convert(name, raw)
        except ValueError as problem:
            raise MlankiError(f"{where}: {found.section} {key} = {raw!r} is not valid: {problem}") from None
    for name in ("source", "output"):
        if name in chosen and not chosen[name].is_absolute():
            chosen[name] = _relative_to_cwd(found.folder / chosen[name])
    if "output" not in chosen:
        chosen["output"] = _relative_to_cwd(found.folder / Settings.output)
    if "source" not in chosen:
        chosen["source"] = _relative_to_cwd(found.folder / Settings.source)
    return replace(settings, **chosen)


def _relative_to_cwd(path: Path) -> Path:
    """``path`` as short as it can be shown: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.resolve()


def _line_of(found: ConfigFile, key: str) -> int:
    """The line where ``key`` is set in the section (configparser and tomllib do not say); else 1."""
    pattern = re.compile(rf"^\s*{re.escape(str(key))}\s*[=:]", re.IGNORECASE)
    try:
        lines = found.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    start = next((n for n, line in enumerate(lines) if line.strip().startswith(found.section)), 0)
    return next((n for n, line in enumerate(lines[start:], start + 1) if pattern.match(line)), 1)
