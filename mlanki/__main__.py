"""Let ``python -m mlanki`` behave like the ``mlanki`` command."""

from mlanki.cli import main

if __name__ == "__main__":
    main()
