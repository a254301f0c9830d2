"""The everyday commands: add, list, show, history, edit, update."""

from typing import Annotated, Any

import typer

from tracker.cli.common import (
    DbOption,
    EvidenceOption,
    WholeNumber,
    app,
    checked_format,
    database,
    date_option,
    date_or_clear_option,
    write,
)

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json, csv or markdown.")]
DetailFormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="What happened, in a sentence or two.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who records it (default: $TRACKER_USER, else your login).")]
SourceOption = Annotated[
    str | None, typer.Option(help="A source's key, title or URL (a URL not yet known is a new source).")
]
NewSourceOption = Annotated[
    bool, typer.Option("--new-source", help="Create the --source text as a new source if no source has that name.")
]
SORTS = ("id", "ref", "title", "owner", "status", "due", "agreed", "updated")


def cited(evidence: list[str] | None) -> Any:
    """--evidence as the pieces cited: each supports, accessed today ('tracker cite' gives more)."""
    from tracker.evidence import Piece

    return [Piece(text) for text in evidence or []]


def _counts_from_agreed(text: str | None) -> bool:
    from tracker.dates import counts_from_agreed

    return text is not None and counts_from_agreed(text)


def _source_rule(source: str | None, new_source: bool) -> Any:
    """A --source that names no source is refused (a URL is created), or created with --new-source."""
    if new_source and source is None:
        from tracker.errors import InvalidInput

        raise InvalidInput("--new-source creates the source that --source names; give --source too")
    return "create" if new_source else "existing"


@app.command()
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What was agreed, in a line.", show_default=False)],
    owner: Annotated[
        str, typer.Option(help="The organisation accountable (short name, name or alias).", show_default=False)
    ],
    ref: Annotated[str | None, typer.Option(help="A stable slug (default: made from the title).")] = None,
    status: Annotated[str, typer.Option(help="Initial status.")] = "not_started",
    agreed: Annotated[
        str | None, typer.Option(help="When it was agreed: 2026-03-31, March 2026, Q3 2026, 2026 …")
    ] = None,
    due: Annotated[
        str | None, typer.Option(help="Deadline, in the same forms, or relative (+90d, in 6 months).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A theme (repeatable).")] = None,
    partner: Annotated[list[str] | None, typer.Option(help="A supporting organisation (repeatable).")] = None,
    source: SourceOption = None,
    new_source: NewSourceOption = False,
    description: Annotated[str, typer.Option(help="Longer description.")] = "",
    note: NoteOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Add a commitment; prints its ref."""
    from tracker.service.commitments import CommitmentSpec, add_commitment
    from tracker.statuses import parse_status
    from tracker.store.transactions import write_transaction

    spec = CommitmentSpec(
        title=title,
        owner=owner,
        ref=ref,
        status=parse_status(status),
        agreed=(agreed_date := date_option(agreed, "--agreed")),
        due=date_option(due, "--due", agreed=agreed_date),
        tags=tag or [],
        partners=partner or [],
        source=source,
        description=description,
        source_rule=_source_rule(source, new_source),
    )
    with write_transaction(database(ctx, db), create=True) as transaction:
        commitment = add_commitment(transaction, spec, note=note, by=by)
    write(f"{commitment.ref}\n")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option(help="Only this status (repeatable).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only commitments this organisation owns.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only commitments with this tag.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only past due and not final.")] = False,
    due_before: Annotated[
        str | None, typer.Option(help="Due before this date (a vague date: before it starts).")
    ] = None,
    due_after: Annotated[str | None, typer.Option(help="Due after this date (a vague date: after it ends).")] = None,
    search: Annotated[
        str | None, typer.Option(help="Text in the title, description, notes or evidence (plain text).")
    ] = None,
    sort: Annotated[str, typer.Option(help=f"One of: {', '.join(SORTS)}.")] = "id",
    limit: Annotated[int | None, typer.Option(click_type=WholeNumber(1), help="At most this many.")] = None,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Include withdrawn commitments (left out by default).")
    ] = False,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """List commitments, filtered and sorted."""
    from tracker import reads, render
    from tracker.dates import today
    from tracker.errors import InvalidInput
    from tracker.statuses import parse_status
    from tracker.store.commitments import CommitmentFilter
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, render.LIST_FORMATS)
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}; expected one of: {', '.join(SORTS)}")
    before = date_option(due_before, "--due-before")
    after = date_option(due_after, "--due-after")
    statuses = [parse_status(s) for s in status or []]
    with read_database(database(ctx, db)) as snapshot:
        filters = CommitmentFilter(
            statuses=statuses,
            owner_id=reads.find_organisation(snapshot, owner)["id"] if owner else None,
            tag=tag.strip().lower() if tag else None,
            overdue_on=today() if overdue else None,
            due_before=before.first if before else None,
            due_after=after.last if after else None,
            search=search,
            sort=sort,
            limit=limit,
            withdrawn=withdrawn,
        )
        items = reads.list_commitments(snapshot, filters)
    write(render.commitments(items, fmt))


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment's ref.", show_default=False)],
    fmt: DetailFormatOption = "table",
    db: DbOption = None,
) -> None:
    """Show one commitment with its source and whole history."""
    from tracker import reads, render
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, ("table", "json"))
    with read_database(database(ctx, db)) as snapshot:
        item = reads.commitment_detail(snapshot, ref)
    write(render.detail(item, fmt))


@app.command()
def history(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment's ref.", show_default=False)],
    fmt: DetailFormatOption = "table",
    db: DbOption = None,
) -> None:
    """A commitment's history in timeline order (by the day each event took effect)."""
    from tracker import reads, render
    from tracker.store.transactions import read_database

    fmt = checked_format(fmt, ("table", "json"))
    with read_database(database(ctx, db)) as snapshot:
        events = reads.history(snapshot, ref)
    write(render.history(events, fmt))


@app.command()
def update(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment's ref.", show_default=False)],
    status: Annotated[str | None, typer.Option(help="The new status.")] = None,
    on: Annotated[str | None, typer.Option(help="The day it took effect (default: today).")] = None,
    note: NoteOption = None,
    evidence: EvidenceOption = None,
    by: ByOption = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Allow leaving a final status.")] = False,
    verdict: Annotated[
        str | None,
        typer.Option(help="Rate the promise instead: not_rated, kept, partly_kept, broken or not_assessable."),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="With --verdict broken: why (README, 'Verdicts').")] = None,
    no_evidence: Annotated[
        bool, typer.Option("--no-evidence", help="With --verdict: record it without evidence (reports show the gap).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Record a new status, a note, or both, with evidence; or a verdict on the promise."""
    from tracker.errors import InvalidInput
    from tracker.service.commitments import UpdateRequest, record_update
    from tracker.statuses import parse_status
    from tracker.store.transactions import write_transaction
    from tracker.verdicts import parse_verdict

    effective = date_option(on, "--on")
    if effective is not None and effective.precision != "day":
        raise InvalidInput(f"--on needs a day, not {effective}; an update takes effect on one day")
    request = UpdateRequest(
        ref=ref,
        status=parse_status(status) if status is not None else None,
        on=effective.last if effective else None,
        note=note,
        evidence=cited(evidence),
        by=by,
        reopen=reopen,
        verdict=parse_verdict(verdict) if verdict is not None else None,
        reason=reason,
        no_evidence=no_evidence,
    )
    with write_transaction(database(ctx, db)) as transaction:
        result = record_update(transaction, request)
    _say_recorded(result)


def _say_recorded(result: Any) -> None:
    if result.kind == "verdict":
        write(f"{result.ref}: rated {result.to_status} on {result.on} (was {result.from_status})\n")
        return
    if result.kind == "review":
        write(f"{result.ref}: reviewed on {result.on}, still {result.from_status}\n")
        return
    if result.to_status is None:
        write(f"{result.ref}: note recorded on {result.on} (status {result.current_status})\n")
        return
    write(f"{result.ref}: {result.from_status} → {result.to_status} on {result.on}")
    if result.current_status != result.to_status:
        write(f"; a later update keeps it {result.current_status}")
    write("\n")


@app.command()
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The commitment's ref.", show_default=False)],
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
    owner: Annotated[str | None, typer.Option(help="New owner.")] = None,
    agreed: Annotated[str | None, typer.Option(help="New agreed date ('none' removes it).")] = None,
    due: Annotated[str | None, typer.Option(help="New deadline ('none' removes it).")] = None,
    source: SourceOption = None,
    new_source: NewSourceOption = False,
    add_tag: Annotated[list[str] | None, typer.Option(help="Add a tag (repeatable).")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option(help="Remove a tag (repeatable).")] = None,
    add_partner: Annotated[list[str] | None, typer.Option(help="Add a partner (repeatable).")] = None,
    remove_partner: Annotated[list[str] | None, typer.Option(help="Remove a partner (repeatable).")] = None,
    note: NoteOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Change fields; the change is recorded in history."""
    from tracker.service.edits import CommitmentEdit, edit_commitment
    from tracker.store.transactions import write_transaction

    changes = CommitmentEdit(
        title=title,
        description=description,
        owner=owner,
        agreed=date_or_clear_option(agreed, "--agreed"),
        due=None if _counts_from_agreed(due) else date_or_clear_option(due, "--due"),
        due_within=due if _counts_from_agreed(due) else None,
        source=source,
        source_rule=_source_rule(source, new_source),
        add_tags=add_tag or [],
        remove_tags=remove_tag or [],
        add_partners=add_partner or [],
        remove_partners=remove_partner or [],
    )
    with write_transaction(database(ctx, db)) as transaction:
        changed = edit_commitment(transaction, ref, changes, note=note, by=by)
    write(f"{ref.strip().lower()}: changed {', '.join(changed)}\n")
