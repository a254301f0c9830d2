"""Every integer option, found from the app: any number, however large or negative, gives success
or one `error:` line with exit 1, never an unexpected failure or a usage error."""

import click
import pytest

from tests.conftest import every_command, fails, invocation, ok, run
from tracker.cli.common import WholeNumber

VALUES = [
    "0",
    "-1",
    "9223372036854775807",  # the largest a database holds
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "1" + "0" * 5000,  # more digits than Python reads (4,300)
    "-" + "0" * 5000 + "1",
    "12abc",
]


def integer_options() -> list[tuple[list[str], click.Command, click.Option]]:
    return [
        (words, command, param)
        for words, command in every_command()
        for param in command.params
        if isinstance(param, click.Option) and isinstance(param.type, click.types.IntParamType | WholeNumber)
    ]


@pytest.mark.usefixtures("loaded")
def test_every_integer_option_takes_any_number() -> None:
    options = integer_options()
    found = {(" ".join(words), param.opts[0]) for words, _, param in options}
    assert found >= {
        ("list", "--limit"),
        ("report", "--limit"),
        ("report", "--upcoming-days"),
        ("report", "--stale-days"),
        ("undo", "--event"),
    }
    before = ok("export")
    for words, command, param in options:
        for value in VALUES:
            arguments = [*invocation(words, command, {}), param.opts[0], value]
            result = run(*arguments)
            assert result.exit_code in (0, 1), (arguments[:-1], value[:30], result.stderr)
            if result.exit_code == 1:
                assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
                assert "unexpected" not in result.stderr, result.stderr
    assert ok("export") == before


@pytest.mark.usefixtures("loaded")
def test_an_integer_beyond_the_database_is_named_in_one_line() -> None:
    assert fails("list", "--limit", "99999999999999999999") == (
        "error: --limit must be at most 9223372036854775807, not 99999999999999999999"
    )
    assert fails("report", "--limit", "9223372036854775808") == (
        "error: --limit must be at most 9223372036854775807, not 9223372036854775808"
    )
    assert fails("undo", "--event", "1" + "0" * 5000) == (
        "error: --event must be at most 9223372036854775807, not 10000000000000000000000000000…"
    )
    assert fails("list", "--limit", "0") == "error: --limit must be at least 1, not 0"
    assert fails("report", "--limit", "-1") == "error: --limit must be at least 0, not -1"
    assert fails("undo", "--event", "two") == "error: --event must be a whole number, not 'two'"
    assert fails("undo", "--event", "9223372036854775807", "--reason", "entered in error") == (
        "error: no event 9223372036854775807; 'tracker history REF' shows the event ids"
    )
    assert len(ok("list", "--limit", "9223372036854775807", "--format", "json")) > 2
