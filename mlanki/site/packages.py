"""The published outputs a site is made from: each deck's latest ``.apkg``, its versioned copies, the changelog.

The site reads files, never the build's internals, so a site can be made from any output folder
(a CI artifact, a release download) and always shows what was really published.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_VERSIONED = re.compile(r"^(?P<slug>.+)-(?P<version>\d+\.\d+\.\d+)\.apkg$")


@dataclass(frozen=True)
class Published:
    """One deck's files in the output folder: the latest package and every versioned one, newest first."""

    slug: str
    latest: Path
    versions: tuple[tuple[str, Path], ...]

    @property
    def version(self) -> str | None:
        """The version whose versioned file holds the same bytes as the latest package."""
        digest = _digest(self.latest)
        return next((v for v, path in self.versions if _digest(path) == digest), None)


def find_published(output: Path) -> list[Published]:
    """Every deck with a latest ``<slug>.apkg`` in ``output``, sorted by slug."""
    versioned: dict[str, list[tuple[str, Path]]] = {}
    latest: dict[str, Path] = {}
    for path in sorted(output.glob("*.apkg")):
        match = _VERSIONED.match(path.name)
        if match:
            versioned.setdefault(match["slug"], []).append((match["version"], path))
        else:
            latest[path.stem] = path
    return [Published(slug, path, tuple(sorted(versioned.get(slug, []), key=lambda v: _key(v[0]), reverse=True)))
            for slug, path in sorted(latest.items())]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
