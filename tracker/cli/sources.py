"""`sources`: the sources commitments cite, with how many cite each; `sources add`, `show`, `edit`
and `merge`."""

from typing import Annotated

import typer

from tracker.cli.common import DbOption, app, checked_format, database, date_option, date_or_clear_option, write

sources_app = typer.Typer(help="Sources with counts of the commitments citing them.", invoke_without_command=True)
app.add_typer(sources_app, name="sources")

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json, csv or markdown.")]
KeyArgument = Annotated[str, typer.Argument(help="The source's key.", show_default=False)]
PublisherOption = Annotated[str | None, typer.Option(help="Who published it ('' removes it).")]
UrlOption = Annotated[str | None, typer.Option(help="Where it is: a URL, up to 2,000 characters ('' removes it).")]
PublishedOption = Annotated[str | None, typer.Option(help="When it was published: 2026-03-31, March 2026, 2026 …")]
NoteOption = Annotated[str | None, typer.Option(help="A note about it ('' removes it).")]


@sources_app.callback()
def sources(ctx: typer.Context, fmt: FormatOption = "table", db: DbOption = None) -> None:
    """List sources (not those merged into another): key, title, publisher, URL, published, and
    how many commitments cite each."""
    if ctx.invoked_subcommand is not None:
        return
    from tracker import reads, render
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, render.LIST_FORMATS)
    with read_database(database(ctx, db)) as snapshot:
        rows = reads.sources(snapshot)
    write(render.sources(rows, fmt))


@sources_app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A unique short key, e.g. we-news-talks.", show_default=False)],
    title: Annotated[str, typer.Option(help="What it is called.", show_default=False)],
    publisher: PublisherOption = None,
    url: UrlOption = None,
    published: PublishedOption = None,
    note: NoteOption = None,
    db: DbOption = None,
) -> None:
    """Add a source that commitments can cite with --source KEY."""
    from tracker.service.sources import SourceSpec, add_source
    from tracker.store.transactions import write_transaction

    spec = SourceSpec(key, title, publisher, url, date_option(published, "--published"), note)
    with write_transaction(database(ctx, db), create=True) as transaction:
        added = add_source(transaction, spec)
    write(f"added source {added}\n")


@sources_app.command("show")
def show(
    ctx: typer.Context,
    key: KeyArgument,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    db: DbOption = None,
) -> None:
    """Show one source and the commitments citing it."""
    from tracker import reads, render
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, ("table", "json"))
    with read_database(database(ctx, db)) as snapshot:
        item = reads.source_detail(snapshot, key)
    write(render.source_detail(item, fmt))


@sources_app.command("edit")
def edit(
    ctx: typer.Context,
    key: KeyArgument,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    publisher: PublisherOption = None,
    url: UrlOption = None,
    published: Annotated[str | None, typer.Option(help="New publication date ('none' removes it).")] = None,
    note: NoteOption = None,
    new_key: Annotated[str | None, typer.Option("--key", help="A new key, which its commitments then show.")] = None,
    db: DbOption = None,
) -> None:
    """Change a source's fields (every commitment citing it shows the change)."""
    from tracker.service.sources import SourceEdit, edit_source
    from tracker.store.transactions import write_transaction

    changes = SourceEdit(new_key, title, publisher, url, date_or_clear_option(published, "--published"), note)
    with write_transaction(database(ctx, db)) as transaction:
        edited = edit_source(transaction, key, changes)
    shown = [f"key (now {edited.key})" if name == "key" else name for name in edited.changed]
    write(f"{edited.was}: changed {', '.join(shown)}\n")


@sources_app.command("merge")
def merge(
    ctx: typer.Context,
    from_key: Annotated[str, typer.Argument(metavar="FROM", help="The source to merge away.", show_default=False)],
    into_key: Annotated[str, typer.Argument(metavar="INTO", help="The source to keep.", show_default=False)],
    by: Annotated[
        str | None, typer.Option("--by", help="Who records it (default: $TRACKER_USER, else your login).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Move every commitment citing FROM to INTO (an edit in each one's history) and merge FROM
    into INTO: FROM leaves the list, and its key, title and URL name INTO from then on."""
    from tracker.service.sources import merge_sources
    from tracker.store.transactions import write_transaction

    with write_transaction(database(ctx, db)) as transaction:
        merged = merge_sources(transaction, from_key, into_key, by=by)
    moved = len(merged.refs)
    if moved:
        cited = f"{moved} commitment now cites" if moved == 1 else f"{moved} commitments now cite"
        write(
            f"merged {merged.from_key} into {merged.into_key}: {cited} {merged.into_key}, each an edit in its "
            "history; 'tracker undo --reason \"…\"' reverses it\n"
        )
    else:
        write(
            f"merged {merged.from_key} into {merged.into_key}: no commitment cited {merged.from_key}, so no history "
            "records it and 'tracker undo' does not reverse it\n"
        )
