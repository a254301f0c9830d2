import datetime as dt

import pytest

from tracker.dates import FuzzyDate, parse_date
from tracker.errors import InvalidInput

pytestmark = pytest.mark.database_free


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2026-11-28")


@pytest.mark.parametrize(
    ("text", "last", "precision", "shown"),
    [
        ("2026-03-31", "2026-03-31", "day", "2026-03-31"),
        ("2026-03-01", "2026-03-01", "day", "2026-03-01"),  # year first, never day first
        ("31 March 2026", "2026-03-31", "day", "2026-03-31"),
        ("31/03/2026", "2026-03-31", "day", "2026-03-31"),  # day first, as written in Pakistan
        ("March 2026", "2026-03-31", "month", "March 2026"),
        ("feb 2028", "2028-02-29", "month", "February 2028"),
        ("2026-02", "2026-02-28", "month", "February 2026"),
        ("2026.02", "2026-02-28", "month", "February 2026"),
        ("2026/02", "2026-02-28", "month", "February 2026"),
        ("Q3 2026", "2026-09-30", "quarter", "Q3 2026"),
        ("Q4 2026", "2026-12-31", "quarter", "Q4 2026"),
        ("2026-q1", "2026-03-31", "quarter", "Q1 2026"),
        ("2026", "2026-12-31", "year", "2026"),
        ("1900", "1900-12-31", "year", "1900"),  # the bounds of the years allowed
        ("2200", "2200-12-31", "year", "2200"),
        ("today", "2026-11-28", "day", "2026-11-28"),
        ("yesterday", "2026-11-27", "day", "2026-11-27"),
        ("tomorrow", "2026-11-29", "day", "2026-11-29"),
        ("now", "2026-11-28", "day", "2026-11-28"),
        ("-30d", "2026-10-29", "day", "2026-10-29"),
        ("6 months ago", "2026-05-28", "day", "2026-05-28"),
        ("2026-03-01  10:00", "2026-03-01", "day", "2026-03-01"),  # runs of spaces count as one
        ("2026-12", "2026-12-31", "month", "December 2026"),
        ("2026.1", "2026-01-31", "month", "January 2026"),
        ("+90d", "2027-02-26", "day", "2027-02-26"),
        ("+6m", "2027-05-28", "day", "2027-05-28"),
        ("+2w", "2026-12-12", "day", "2026-12-12"),
        ("in 6 months", "2027-05-28", "day", "2027-05-28"),
        ("30 days ago", "2026-10-29", "day", "2026-10-29"),
        ("  In 1 Year ", "2027-11-28", "day", "2027-11-28"),
    ],
)
def test_accepted_forms(text: str, last: str, precision: str, shown: str) -> None:
    parsed = parse_date(text)
    assert (parsed.last.isoformat(), parsed.precision, str(parsed)) == (last, precision, shown)


@pytest.mark.parametrize(
    ("text", "first"),
    [("Q3 2026", "2026-07-01"), ("March 2026", "2026-03-01"), ("2025", "2025-01-01"), ("2026-05-17", "2026-05-17")],
)
def test_first_day_of_a_vague_date(text: str, first: str) -> None:
    assert parse_date(text).first.isoformat() == first


UNREADABLE_HINT = "use a form such as 2026-03-31, 31 March 2026, March 2026, Q3 2026, 2026, today or +90d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "date '2026-02-30' is not a real date (day is out of range for month)"),
        ("31/04/2026", "date '31/04/2026' is not a real date (day is out of range for month)"),
        ("2026-13", "date '2026-13' is not a real date (month 13)"),
        (
            "Q5 2026",
            "cannot read date 'Q5 2026'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
            "Q3 2026, 2026, today or +90d",
        ),
        ("March", "date 'March' has no year; write it in full, e.g. 31 March 2026"),
        (
            "soon",
            "cannot read date 'soon'; use a form such as 2026-03-31, 31 March 2026, March 2026, "
            "Q3 2026, 2026, today or +90d",
        ),
        ("", "date is empty; give a date such as 2026-03-31, March 2026, Q3 2026 or 2026"),
        ("1066", "date '1066' is out of range (years 1900 to 2200)"),
        ("+99999y", "date '+99999y' is out of range (years 1900 to 2200)"),
        ("+300y", "date '+300y' is out of range (years 1900 to 2200)"),  # within dateutil's range, past ours
        ("in 3 days ago", "cannot read date 'in 3 days ago'; write 'in 6 months' or '6 months ago'"),
        ("2026-00", "date '2026-00' is not a real date (month 0)"),
        ("31/13/2026", "date '31/13/2026' is not a real date (month must be in 1..12)"),
        ("March 99999999999", "date 'March 99999999999' is not a real date (signed integer is greater than maximum)"),
        ("Monday 2026", "cannot read date 'Monday 2026'; use a form such as 2026-03-31 or March 2026"),
        # Out of range in every form, each message naming the text as written.
        *(
            (text, f"date '{text}' is out of range (years 1900 to 2200)")
            for text in ("2201", "in 300 years", "Q1 1800", "1800-03", "1800-03-01", "1 March 1800")
        ),
        ("2026-02-30T10:00", "date '2026-02-30T10:00' is not a real date (day is out of range for month)"),
        ("2026/13/01 10:00", "date '2026/13/01 10:00' is not a real date (month must be in 1..12)"),
        # Year first with a time that is not one, or mixed separators: refused, never guessed day first.
        *(
            (text, f"cannot read date '{text}'; {UNREADABLE_HINT}")
            for text in ("2026-03-01 25:00", "2026-03-01 10:00 PKT", "2026-03/01", "2026.03.01T")
        ),
    ],
)
def test_refused_forms(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_date(text)
    assert str(raised.value) == message


def test_stored_round_trip_keeps_precision() -> None:
    stored = FuzzyDate.stored("2026-09-30", "quarter")
    assert stored == parse_date("Q3 2026")
    assert FuzzyDate.stored(None, None) is None
    assert FuzzyDate.stored(dt.date(2026, 1, 5), None) == FuzzyDate(dt.date(2026, 1, 5), "day")


@pytest.mark.parametrize(
    "stamp",
    [
        dt.datetime(2026, 11, 28, 9, 44, 45, 123456),
        dt.datetime(2019, 1, 2, 3, 4, 5),
        dt.datetime(2026, 11, 28, 23, 59, 59),
    ],
)
def test_a_timestamp_reads_the_same_from_sqlite_text_as_from_a_datetime(stamp: dt.datetime) -> None:
    from tracker.reads import iso_timestamp

    stored = stamp.isoformat(sep=" ", timespec="microseconds")  # as SQLAlchemy keeps it in SQLite
    aware = stamp.replace(tzinfo=dt.UTC)  # as PostgreSQL hands it back
    assert iso_timestamp(stored) == iso_timestamp(aware) == stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


# Every spelling of a day, written from its parts: year first with each separator and the times
# spreadsheets, pandas and ISO 8601 add (offsets that would move the day if converted to UTC),
# and day first only where the day comes first.
SPELLINGS = {
    "iso": "{y:04}-{m:02}-{d:02}",
    "iso unpadded": "{y:04}-{m}-{d}",
    "dots": "{y:04}.{m:02}.{d:02}",
    "slashes": "{y:04}/{m:02}/{d:02}",
    "compact": "{y:04}{m:02}{d:02}",
    "minutes": "{y:04}-{m:02}-{d:02} 10:00",
    "pandas": "{y:04}-{m:02}-{d:02} 00:00:00",
    "dots with time": "{y:04}.{m:02}.{d:02} 23:59",
    "slashes with time": "{y:04}/{m:02}/{d:02} 10:00:00",
    "T": "{y:04}-{m:02}-{d:02}T10:00:00",
    "Z": "{y:04}-{m:02}-{d:02}T23:59:59Z",
    "east offset": "{y:04}-{m:02}-{d:02}T00:30:00+05:00",
    "west offset": "{y:04}-{m:02}-{d:02}T23:30:00-08:00",
    "fraction": "{y:04}-{m:02}-{d:02}T10:00:00.123456+14:00",
    "compact with time": "{y:04}{m:02}{d:02}T235959Z",
    "day first slashes": "{d:02}/{m:02}/{y:04}",
    "day first dots": "{d}.{m}.{y:04}",
    "day first with time": "{d:02}/{m:02}/{y:04} 10:00",
}
ALL_DAYS = [
    dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range((dt.date(2040, 12, 31) - dt.date(2000, 1, 1)).days + 1)
]


@pytest.mark.slow
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_day_from_2000_to_2040_reads_as_the_day_written(spelling: str) -> None:
    # All 14,976 days, not a sample: year-first reading was broken for most days while every
    # example test passed (1 March read as 3 January).
    template = SPELLINGS[spelling]
    wrong = [
        (text, parsed)
        for day in ALL_DAYS
        if (parsed := parse_date(text := template.format(y=day.year, m=day.month, d=day.day))) != FuzzyDate(day)
    ]
    assert wrong == [], f"{len(wrong)} misread, first {wrong[:3]}"
