"""``python -m digest``: the same command line as ``digest`` (for when the script is not
on the PATH, as in a virtual environment that is not activated)."""

from digest.cli import main

if __name__ == "__main__":
    main(prog_name="digest")
