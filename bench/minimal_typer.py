"""The framework's floor: a minimal Typer app whose command does nothing."""

import typer

app = typer.Typer()


def _version(value: bool) -> None:
    if value:
        typer.echo("minimal 0")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True)) -> None:
    pass


@app.command()
def noop() -> None:
    """Do nothing."""


@app.command()
def other() -> None:
    """Also nothing (so that Typer builds a group, as tracker's is)."""


if __name__ == "__main__":
    app()
