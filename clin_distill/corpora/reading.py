"""Reading corpus files and naming places in them: strict UTF-8 without a byte-order mark,
JSONL lines, CSV rows, doc-id checks and escaped ``file:line (doc id)`` locations for messages.

* **Files** are strict UTF-8; a leading byte-order mark is not text and is dropped by
  :func:`read_utf8` (offsets count the characters after it; brat files whose offsets counted it are
  detected by their stated surfaces, see :mod:`.brat`). A UTF-16 file, invalid UTF-8 or an
  unreadable file is an error naming the file (and line).
* **Doc ids** are checked by :func:`check_doc_id`: a non-empty string or an integer with no control
  characters; null, empty, other types and line breaks are errors. Messages print file names and ids
  through :func:`escaped`, so neither can forge a second message line.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

BOM = "\ufeff"


class CorpusError(Exception):
    """Bad corpus input. The message names file, doc id and line, never note text."""


def escaped(value: object) -> str:
    """``value`` as text with every non-printable character (line breaks, tabs, ANSI escapes, zero-width
    characters) written as a Python escape, so a file name or doc id can never start a new line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))


def where(source: str | Path, doc_id: str | None = None, line: int | None = None) -> str:
    """``file:line (doc <id>)`` for error messages (file and id escaped)."""
    out = escaped(source)
    if line:
        out += f":{line}"
    if doc_id is not None:
        out += f" (doc {escaped(doc_id)})"
    return out


def check_doc_id(value: object, source: str | Path, line: int | None = None) -> str:
    """A doc id as text: a non-empty string or an integer, without control or other non-printable
    characters and without surrounding whitespace; anything else is a :class:`CorpusError`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise CorpusError(f"{where(source, line=line)}: doc id must be a string or an integer, not {kind}")
    if not value.strip():
        raise CorpusError(f"{where(source, line=line)}: empty doc id")
    if not value.isprintable() or value != value.strip():
        raise CorpusError(
            f"{where(source, value, line)}: doc id holds control characters or surrounding whitespace"
        )
    return value


def decode_utf8(data: bytes, path: Path) -> tuple[str, bool]:
    """``data`` as strict UTF-8 without a leading byte-order mark, and whether it had one.

    A BOM is not text: it is dropped, so offsets count the characters after it (see
    :mod:`.brat` for annotation files whose offsets counted it).
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorpusError(
            f"{escaped(path)}: UTF-16 file (byte-order mark {data[:2].hex(' ')}); save it as UTF-8"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise CorpusError(f"{where(path, line=line)}: invalid UTF-8 at byte {err.start}") from None
    return (text[1:], True) if text.startswith(BOM) else (text, False)


def read_utf8_bom(path: Path) -> tuple[str, bool]:
    """The file as strict UTF-8, line endings untouched, without its BOM; and whether it had one."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"{escaped(path)}: cannot read ({err.strerror or type(err).__name__})") from None
    return decode_utf8(data, path)


# C0 and C1 control characters but the whitespace and line breaks among them (tab, line feed,
# vertical tab, form feed, carriage return, next line U+0085), and the zero-width characters that
# copied text carries (zero-width space, joiners, word joiner, a byte-order mark inside the text):
# spaCy keeps them inside tokens ("\u200b(" is one token), so nothing matches the word they touch
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200d\u2060\ufeff]")


def replace_controls(text: str) -> tuple[str, int]:
    """``text`` with every control or zero-width character (NUL, U+200B and the like,
    :data:`CONTROL_CHARACTERS`) replaced by a space, so offsets stay valid and "fever\\x00" tokenizes
    as "fever"; and how many were replaced."""
    replaced, count = CONTROL_CHARACTERS.subn(" ", text)
    return replaced, count


def read_utf8(path: Path) -> str:
    """The file decoded as strict UTF-8 without a byte-order mark, line endings untouched
    (offsets count every character after the BOM)."""
    return read_utf8_bom(path)[0]


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line_no, line)`` of a JSONL text split at ``\\n`` only: JSON strings may hold U+2028,
    U+0085 and the like unescaped, which ``str.splitlines`` would wrongly split at."""
    for line_no, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield line_no, line


def csv_rows(text: str) -> csv.DictReader:
    """A ``csv.DictReader`` over ``text`` with newline handling left to the csv module."""
    csv.field_size_limit(sys.maxsize)
    return csv.DictReader(io.StringIO(text, newline=""))
