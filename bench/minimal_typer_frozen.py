"""The framework's floor, frozen as tracker's `main` freezes: the same minimal Typer app, with what
it loaded moved out of the garbage collector's sight (gc.freeze) before and after its command.

tracker's figures are compared with the plain app (bench/minimal_typer.py), as issue 7 asks;
this one shows how much of the difference is tracker's own work rather than Python's collector.
"""

import gc

from minimal_typer import app  # type: ignore[import-not-found]  # run as a script beside it

if __name__ == "__main__":
    gc.freeze()
    try:
        app()
    finally:
        gc.freeze()
