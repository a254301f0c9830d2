import pytest

from tracker.errors import InvalidInput
from tracker.statuses import FINAL_STATUSES, is_final, parse_status

pytestmark = pytest.mark.database_free


@pytest.mark.parametrize(
    "text", ["in_progress", "In progress", "in-progress", "IN PROGRESS", " in  progress ", "In-Progress"]
)
def test_status_variants(text: str) -> None:
    assert parse_status(text) == "in_progress"


def test_unknown_status_names_the_choices() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_status("done")
    assert str(raised.value) == (
        "unknown status 'done'; expected one of: not_started, in_progress, stalled, completed, partial, abandoned"
    )


def test_final_statuses() -> None:
    assert {"completed", "partial", "abandoned"} == FINAL_STATUSES
    assert is_final("partial") and not is_final("stalled")
