"""Settings: defaults, then ``setup.cfg [mlanki]``, then command-line flags (a flag given wins)."""

from __future__ import annotations

import configparser
from dataclasses import dataclass, fields, replace
from pathlib import Path

from mlanki.errors import MlankiError

SETUP_CFG = "setup.cfg"
SECTION = "mlanki"


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

    @staticmethod
    def default_deck_name(file: str) -> str:
        """A deck name for a source with no ``#`` title: its file name, words capitalised."""
        return Path(file).stem.replace("-", " ").replace("_", " ").strip().title() or "mlanki"

    def with_flags(self, **flags) -> "Settings":
        """These settings with every flag that was given (not None) applied."""
        return replace(self, **{k: v for k, v in flags.items() if v is not None})


def load_settings(folder: Path = Path("."), **flags) -> Settings:
    """Settings for a build run in ``folder``: its setup.cfg [mlanki] section, then the flags."""
    settings = Settings()
    cfg_path = folder / SETUP_CFG
    if cfg_path.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(cfg_path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as problem:
            raise MlankiError(f"{cfg_path}: cannot read [mlanki] settings: {problem}") from None
        if parser.has_section(SECTION):
            settings = _apply(settings, parser[SECTION], cfg_path)
    return settings.with_flags(**flags)


# Settings a source file may choose for itself in its front matter (``mlanki:`` block).
PER_FILE = ("topic_level", "question_level", "question_style", "line_breaks", "missing_media")
_CHOICES = {"question_style": ("auto", "heading", "bold", "list"), "missing_media": ("error", "warning")}


def convert(name: str, raw) -> object:
    """One setting's value from text (setup.cfg) or YAML (front matter); ValueError if invalid."""
    if name in ("source", "output"):
        return Path(str(raw))
    if name in ("topic_level", "question_level"):
        if raw is None or str(raw).strip().lower() in ("", "none", "auto"):
            if name == "question_level":
                return None
        value = int(str(raw))
        if not 1 <= value <= 6:
            raise ValueError("a heading level is 1 to 6")
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


def _apply(settings: Settings, section, where: Path) -> Settings:
    known = {f.name for f in fields(Settings)}
    values = {}
    for key, raw in section.items():
        name = key.replace("-", "_")
        if name not in known:
            raise MlankiError(f"{where}: [mlanki] has an unknown setting {key!r}; known: {', '.join(sorted(known))}")
        try:
            values[name] = convert(name, raw)
        except ValueError as problem:
            raise MlankiError(f"{where}: [mlanki] {key} = {raw!r} is not valid: {problem}") from None
    return replace(settings, **values)
