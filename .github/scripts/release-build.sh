#!/usr/bin/env bash
# Release build: the packages of version $1, made from the tagged commit, which must already hold
# that release's record (source/mlanki.lock). Releases never leave the record behind: when the
# committed record is not at this version, the build would have to change it, so this fails and
# says how to fix it (build and commit the record, then tag). Nothing is ever committed back.
#
#   .github/scripts/release-build.sh 1.2.0        # run from the project folder, mlanki on PATH
set -euo pipefail
version="${1:?usage: release-build.sh X.Y.Z}"
record="${MLANKI_RECORD:-source/mlanki.lock}"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::release version '$version' is not X.Y.Z (tag releases as vX.Y.Z)" >&2
  exit 1
fi

# The version(s) the committed record's latest releases have, one per line, deduplicated.
recorded=$(python3 - "$record" <<'PY'
import json, sys
try:
    releases = json.load(open(sys.argv[1], encoding="utf-8")).get("releases", {})
except FileNotFoundError:
    releases = {}
print("\n".join(sorted({history[-1]["version"] for history in releases.values() if history})))
PY
)

if [ "$recorded" = "$version" ]; then
  # The record already describes this release: a plain build reproduces it (no new version).
  mlanki build
else
  mlanki build --release "$version"
fi

if ! git ls-files --error-unmatch "$record" >/dev/null 2>&1 || ! git diff --quiet HEAD -- "$record"; then
  if [ "$recorded" = "$version" ]; then
    why="its record is at $version, but building the tagged sources with this mlanki rewrites it (sources edited after that build, or a newer mlanki)"
    fix="run 'mlanki build', commit $record"
  else
    why="the tagged commit's record is at '${recorded:-no release}', not $version"
    fix="run 'mlanki build --release $version', commit $record"
  fi
  echo "::error file=$record::The release build changed $record: $why. Before tagging, $fix, push, and tag that commit." >&2
  git --no-pager diff --stat HEAD -- "$record" >&2 || true
  exit 1
fi
echo "$record is committed and already holds release $version."
