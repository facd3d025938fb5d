"""``mlanki site``: a static download-and-preview site built from the published packages and changelog.

    from mlanki.site.build import build_site
    build_site("source", "build")        # writes build/site/index.html and one folder per deck

Cards are rendered by Anki itself (the official ``anki`` package, the ``site`` extra), so the
preview is what a learner's Anki will show.
"""
