"""Rules for the text people type: what is refused, and how long it may be."""

import functools
import re

from tracker.errors import InvalidInput

# Documented in the README ("Limits"); each is a count of characters.
LIMITS = {
    "ref": 80,
    "title": 300,
    "description": 20_000,
    "note": 20_000,
    "evidence": 2_000,
    "quote": 2_000,  # a piece of evidence's quote
    "archive": 2_000,  # a piece of evidence's archive URL
    "reason": 2_000,  # a correction's reason (withdraw, undo), one line
    "by": 200,
    "tag": 60,
    "organisation": 200,
    "source": 500,  # text that names a source (--source, a file's source column)
    "source key": 80,
    "source title": 500,
    "publisher": 500,
    "url": 2_000,
    "search": 1_000,
}

# A ref: letters with their combining marks (Thai vowels and tones, Devanagari and Arabic vowel
# signs), digits and hyphens, starting with a letter or digit. Python's \w has no marks, so
# outside ASCII the marks are picked out by their Unicode category (_is_mark).
_ASCII_REF = re.compile(r"^[^\W_][\w-]*$")
_NOT_WORD = re.compile(r"[\W_]+")

# Unicode's control characters (category Cc) other than tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates reorder what follows them on screen
# ("Trojan Source"): a title can show one thing and store another. Right-to-left scripts need none
# of them (the Unicode bidi algorithm orders Urdu, Arabic and Hebrew itself); the marks U+200E,
# U+200F and U+061C, which reorder nothing beyond a neutral character, stay allowed.
_BIDI_CONTROL = "[\u202a-\u202e\u2066-\u2069]"


@functools.cache
def _bidi_control() -> re.Pattern[str]:
    return re.compile(_BIDI_CONTROL)  # on first use: every read command imports this module, none needs it


def clean_text(value: str | None, field: str, *, required: bool = False, single_line: bool = False) -> str | None:
    """Strip surrounding space and refuse what a person cannot have meant to store."""
    if value is None:
        return None
    text = lookup_text(value.strip(), field)
    if not text.isascii() and (bidi := _bidi_control().search(text)):
        import unicodedata  # only to name the character: every read command imports this module

        raise InvalidInput(
            f"{field} contains U+{ord(bidi.group()):04X} ({unicodedata.name(bidi.group())}), a bidirectional "
            "control that reorders how text is shown; right-to-left text needs none"
        )
    if single_line and ("\n" in text or "\r" in text):
        raise InvalidInput(f"{field} must be one line")
    if required and not text:
        raise InvalidInput(f"{field} is empty")
    limit = LIMITS.get(field, LIMITS["organisation"])
    if len(text) > limit:
        raise InvalidInput(f"{field} is {len(text)} characters long; the limit is {limit}")
    return text


def reason_text(reason: str, refusal: str) -> str:
    """A correction's reason (`withdraw --reason`, `undo --reason`): one line of at most
    LIMITS["reason"] characters, as every text is checked, and not blank; a blank one is refused
    with `refusal`, the command's own words on how to give one."""
    text = clean_text(reason, "reason", single_line=True)
    if not text:
        raise InvalidInput(refusal)
    return text


def lookup_text(value: str, field: str) -> str:
    """Refuse a control character that no stored text may hold: in text to store, and in text that
    looks something up (a ref, --search, --tag), which could match nothing and which a server
    database cannot even be asked about (NUL), so every database gives the same answer."""
    if control := _CONTROL.search(value):
        raise InvalidInput(f"{field} contains a control character (U+{ord(control.group()):04X})")
    return value


def check_file_name(value: str, what: str = "file name") -> str:
    """Refuse a file name with control characters (NUL, line breaks …): no file should have one."""
    if control := _ANY_CONTROL.search(value):
        raise InvalidInput(f"{what} {value!r} contains a control character (U+{ord(control.group()):04X})")
    if not value.strip():
        raise InvalidInput(f"{what} {value!r} is empty")
    return value


@functools.cache  # titles repeat their few marks: a dict lookup after the first
def _is_mark(character: str) -> bool:
    import unicodedata

    return unicodedata.category(character).startswith("M")


def _without_leading_marks(part: str) -> str:
    start = 0
    while start < len(part) and _is_mark(part[start]):
        start += 1
    return part[start:]


def ref_key(value: str) -> str:
    """A ref as it is stored and looked up: NFC-normalised and in lower case, so that
    `FIA-CT-WING` finds `fia-ct-wing` and a ref typed with decomposed marks finds its composed form."""
    if value.isascii():
        return value.lower()
    import unicodedata

    return unicodedata.normalize("NFC", value).lower()


def match_key(value: str) -> str:
    """Text as a source's title or URL is matched (the lookup columns source.title_key and
    source.url_key hold it): NFC-normalised and casefolded in Python, so that SQLite and PostgreSQL,
    whose lower() differ outside ASCII, find the same rows through the same index."""
    if value.isascii():
        return value.lower()
    import unicodedata

    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).casefold())


def is_url(text: str) -> bool:
    """Whether text that names a source is a web address (http or https, in any case)."""
    return text.strip()[:8].lower().startswith(("http://", "https://"))


def clean_source_text(value: str) -> str:
    """Text that names a source (a key, a title or a URL): one line, within the URL limit when it
    is a URL and the source limit otherwise (README, "Limits")."""
    return clean_text(value, "url" if is_url(value) else "source", required=True, single_line=True) or ""


def clean_ref(value: str, field: str = "ref") -> str:
    """A ref, or a source's key (`field` "source key"), as it is stored."""
    ref = ref_key(clean_text(value, field, required=True, single_line=True) or "")
    if ref.isascii():
        valid = bool(_ASCII_REF.match(ref))
    else:
        valid = ref[:1].isalnum() and all(c.isalnum() or c in "-_" or _is_mark(c) for c in ref)
    if not valid:
        raise InvalidInput(
            f"{field} {value!r} must be letters (with their marks), digits and hyphens, starting with a letter or digit"
        )
    return ref


def clean_tag(value: str) -> str:
    tag = clean_text(value, "tag", required=True, single_line=True) or ""
    return re.sub(r"\s+", "-", tag.lower())


def slugify(title: str, limit: int = 60) -> str:
    """A readable ref from a title: `Activate the FIA's CT Wing` -> `activate-the-fia-s-ct-wing`;
    letters keep their marks (`จังหวัด`, `हिन्दी`)."""
    return cut_slug(whole_slug(title), limit)


def whole_slug(title: str) -> str:
    """All of a title's words as a slug (slugify cuts it)."""
    title = ref_key(title)
    if title.isascii():
        return _NOT_WORD.sub("-", title).strip("-")
    # Marks are not \w: keep those in the separators (short runs, so this is quick) …
    kept = _NOT_WORD.sub(lambda run: "".join(c if _is_mark(c) else "-" for c in run.group()), title)
    # … where they follow a letter: a part of the ref never starts with one (`⚖️` leaves U+FE0F)
    return "-".join(part for part in map(_without_leading_marks, kept.split("-")) if part)


def cut_slug(slug: str, limit: int) -> str:
    """A slug of at most `limit` characters, cut at a hyphen where it can be."""
    if len(slug) > limit:
        cut = limit
        while cut > 1 and _is_mark(slug[cut]):  # never part a letter from its marks
            cut -= 1
        head = slug[:cut]
        slug = head.rsplit("-", 1)[0] if "-" in head else head
    return slug or "commitment"
