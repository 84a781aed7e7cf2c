"""``python -m vaxutils``: the same command line as the ``vaxutils`` script."""

from vaxutils.cli import main

if __name__ == "__main__":
    main()
