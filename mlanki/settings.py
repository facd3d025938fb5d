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
    line_breaks: bool = True
    strict: bool = False

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


def _apply(settings: Settings, section, where: Path) -> Settings:
    known = {f.name: f.type for f in fields(Settings)}
    values = {}
    for key, raw in section.items():
        name = key.replace("-", "_")
        if name not in known:
            raise MlankiError(f"{where}: [mlanki] has an unknown setting {key!r}; known: {', '.join(sorted(known))}")
        try:
            if name in ("source", "output"):
                values[name] = Path(raw)
            elif name == "topic_level":
                values[name] = int(raw)
            else:
                values[name] = section.getboolean(key)
        except ValueError:
            raise MlankiError(f"{where}: [mlanki] {key} = {raw!r} is not a valid value") from None
    return replace(settings, **values)
