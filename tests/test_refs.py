"""Refs in every script: a ref made from a title keeps whole letters with their combining marks
(Thai, Devanagari, Arabic, Urdu), NFC-normalised, and `--ref` accepts such refs."""

import unicodedata

import pytest

from tests.conftest import fails, ok
from tracker.text import clean_ref, slugify

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.parametrize(
    ("title", "ref"),
    [
        ("1 จังหวัด 1 แหล่งท่องเที่ยว", "1-จังหวัด-1-แหล่งท่องเที่ยว"),  # vowel and tone marks stay
        ("हिन्दी में वादे", "हिन्दी-में-वादे"),  # virama and vowel signs stay
        ("اردو کا وعدہ", "اردو-کا-وعدہ"),
        ("Activate the FIA's CT Wing", "activate-the-fia-s-ct-wing"),
        (unicodedata.normalize("NFD", "Café Réforme"), "café-réforme"),  # composed, whatever was typed
        ("👩🏽\u200d⚖️ report", "report"),  # an emoji's variation selector is a mark, but follows no letter
    ],
)
def test_a_ref_made_from_a_title_keeps_letters_whole(title: str, ref: str) -> None:
    assert slugify(title) == ref
    assert ok("add", title, "--owner", "FIA") == f"{ref}\n"
    assert ok("show", ref, "-f", "json").count(f'"ref": "{ref}"') == 1


def test_a_long_title_is_never_cut_between_a_letter_and_its_marks() -> None:
    assert slugify("ที่" * 40, limit=5) == "ที่"


@pytest.mark.parametrize("ref", ["จังหวัด-1", "हिन्दी-1", "وعدہ-1"])
def test_ref_accepts_letters_with_their_marks(ref: str) -> None:
    assert ok("add", "Scripted", "--owner", "FIA", "--ref", ref) == f"{ref}\n"


def test_a_ref_is_stored_composed_and_in_lower_case() -> None:
    assert clean_ref(unicodedata.normalize("NFD", "Café-X")) == "café-x"


@pytest.mark.parametrize("ref", ["\u0e31abc", "-abc", "a b", "é!"])
def test_a_ref_cannot_start_with_a_mark_or_hold_other_signs(ref: str) -> None:
    assert fails("add", "Scripted", "--owner", "FIA", "--ref", ref) == (
        f"error: ref {ref!r} must be letters (with their marks), digits and hyphens, starting with a letter or digit"
    )


def test_looking_a_ref_up_ignores_case_in_cased_scripts() -> None:
    assert ok("show", "FIA-CT-WING", "-f", "json") == ok("show", "fia-ct-wing", "-f", "json")
    assert ok("history", "Fia-Ct-Wing") == ok("history", "fia-ct-wing")
    ok("update", "FIA-CT-WING", "--note", "seen")
    ok("add", "Café", "--owner", "FIA", "--ref", "Café-Ré")
    assert '"ref": "café-ré"' in ok("show", unicodedata.normalize("NFD", "CAFÉ-RÉ"), "-f", "json")
