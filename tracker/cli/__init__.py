"""The command line: a thin adapter that parses options, calls the domain and renders results.

A process imports only the module of the command it runs and builds only that command
(tracker.cli.trimming), and domain modules are imported inside commands, so `--help` and read
commands start quickly.
"""

import sys

from tracker import gc_tuning
from tracker.cli.trimming import app_for, whole_app

__all__ = ["main", "whole_app"]


def main() -> None:
    with gc_tuning.for_the_process():
        app_for(sys.argv[1:])()
