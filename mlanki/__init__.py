"""mlanki: Markdown question-and-answer collections to Anki decks that update in place.

Call it from Python::

    from mlanki.build import build
    result = build("source", "build")      # same as `mlanki build`
    print(result.summary())

The pipeline is one module per step: ``syntax`` (mistune with line numbers) ->
``parse`` (tokens to frozen ``entries``) -> ``mapping`` (entries to notes) ->
``identity`` (GUIDs, mod times, versions in the record file) -> ``package``
(deterministic .apkg). ``build`` runs the steps; ``cli`` is a thin click layer.
"""

__version__ = "0.1.0"
