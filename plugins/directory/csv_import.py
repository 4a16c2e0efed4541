"""CSV import of contacts (DIR-09): the file's columns mapped to contact fields, a preview of every
row with what is wrong with it, then the good rows saved."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from cordboard.core.exceptions import ConfigValidationError
from cordboard.plugins.directory.const import NUMBER_TYPES, TEXT_FIELDS
from cordboard.plugins.directory.model import checked_contact

EXTENSIONS: Final = (".csv", ".txt")
MAX_ROWS: Final = 5000
FIELDS: Final = (
    "full_name",
    *TEXT_FIELDS,
    "type",
    *(f"number:{t}" for t in NUMBER_TYPES),
)
"""What a column can be: a contact field, ``full_name`` (split into first and last name), the
contact type, or a phone number of a type."""
_HEADER_NAMES: Final = {
    "full_name": ("name", "fullname", "navn", "fuldenavn", "vollständigername", "displayname"),
    "first_name": ("firstname", "givenname", "fornavn", "vorname"),
    "last_name": ("lastname", "surname", "familyname", "efternavn", "nachname"),
    "company": ("company", "organisation", "organization", "firma", "virksomhed", "unternehmen"),
    "department": ("department", "afdeling", "abteilung"),
    "short_name": ("shortname", "nickname", "kaldenavn", "kurzname", "spitzname"),
    "street": ("street", "address", "adresse", "gade", "vej", "straße", "strasse"),
    "postcode": ("postcode", "zip", "zipcode", "postalcode", "postnummer", "postnr", "plz", "postleitzahl"),
    "city": ("city", "town", "by", "ort", "stadt"),
    "country": ("country", "land"),
    "email": ("email", "mail", "emailaddress", "epost"),
    "speed_dial": ("speeddial", "kurzwahl", "hurtigopkald"),
    "type": ("type", "contacttype", "kontakttype", "kontakttyp"),
    "number:work": (
        "phone",
        "telephone",
        "work",
        "workphone",
        "businessphone",
        "telefon",
        "tlf",
        "arbejde",
        "büro",
    ),
    "number:mobile": ("mobile", "mobilephone", "cell", "cellphone", "mobil", "mobiltelefon", "handy"),
    "number:home": ("home", "homephone", "privat", "hjem", "privattelefon"),
    "number:fax": ("fax", "telefax"),
    "number:other": ("other", "otherphone", "andet", "sonstige"),
}
_BY_HEADER: Final = {alias: field for field, aliases in _HEADER_NAMES.items() for alias in aliases}
_NUMBERISH: Final = re.compile(r"^\+?[0-9][0-9 ()./-]{4,}$")
_TYPES: Final = {
    "favourite": "favourite",
    "favorite": "favourite",
    "favorit": "favourite",
    "contact": "contact",
    "kontakt": "contact",
    "vip": "vip",
    "blocked": "blocked",
    "blokeret": "blocked",
    "gesperrt": "blocked",
}


@dataclass(frozen=True, slots=True)
class ImportPreview:
    columns: list[str]
    has_header: bool
    header: list[str] | None
    rows: list[dict[str, Any]]

    @property
    def good(self) -> list[dict[str, Any]]:
        return [row["contact"] for row in self.rows if row["error"] is None]

    def as_dict(self, created: int = 0) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "has_header": self.has_header,
            "header": self.header,
            "fields": list(FIELDS),
            "rows": self.rows,
            "created": created,
        }


def check_filename(filename: str) -> None:
    if not filename.lower().endswith(EXTENSIONS):
        kind = "." + filename.rpartition(".")[2] if "." in filename else "a file without extension"
        allowed = "a contact list is a .csv or .txt file (comma, semicolon or tab separated)"
        raise ConfigValidationError(
            "This file cannot be imported",
            {"filename": f"{allowed}, not {kind}"},
        )


def _header_field(cell: str) -> str | None:
    return _BY_HEADER.get(re.sub(r"[\s_.-]+", "", cell.casefold()))


def _table(text: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows, each with the file's line it starts on."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    line = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((line, row))
        line = reader.line_num + 1
    if len(rows) > MAX_ROWS + 1:
        raise ConfigValidationError(
            "This file cannot be imported", {"text": f"at most {MAX_ROWS} contacts at a time"}
        )
    return rows


def _guess_columns(first: Sequence[str], has_header: bool, width: int) -> list[str]:
    if has_header:
        columns, used = [], set()
        for cell in first:
            found = _header_field(cell)
            columns.append(found if found and found not in used else "")
            used.add(found)
        return columns + [""] * (width - len(columns))
    texts = iter(("first_name", "last_name", "company"))
    numbers = iter(f"number:{t}" for t in ("work", "mobile", "home", "other"))
    columns = []
    for cell in list(first) + [""] * (width - len(first)):
        value = cell.strip()
        if "@" in value:
            columns.append("email")
        elif _NUMBERISH.match(value):
            columns.append(next(numbers, ""))
        elif value:
            columns.append(next(texts, ""))
        else:
            columns.append("")
    return columns


def _contact_of(row: Sequence[str], columns: Sequence[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"numbers": []}
    for cell, column in zip(row, columns, strict=False):
        value = cell.strip()
        if not column or not value:
            continue
        if column.startswith("number:"):
            data["numbers"].append({"type": column.partition(":")[2], "number": value})
        elif column == "full_name":
            first, _, last = value.rpartition(" ")
            data["first_name"], data["last_name"] = (first, last) if first else ("", last)
        elif column == "type":
            data["type"] = _TYPES.get(value.casefold(), value)
        else:
            data[column] = value
    return data


def _problem(err: ConfigValidationError) -> str:
    return (
        "; ".join(f"{field.replace('_', ' ')}: {message}" for field, message in err.fields.items())
        or err.message
    )


def preview(text: str, columns: Sequence[str] | None = None, has_header: bool | None = None) -> ImportPreview:
    """Read ``text`` as CSV; ``columns`` maps each column position to one of ``FIELDS`` ("" skips
    it); None guesses from the header row, or from the first row's contents without one."""
    table = _table(text.lstrip("\ufeff"))
    if not table:
        raise ConfigValidationError("This file cannot be imported", {"text": "the file holds no rows"})
    width = max(len(row) for _, row in table)
    first = table[0][1]
    if has_header is None:
        has_header = any(_header_field(cell) for cell in first)
    if columns is None:
        columns = _guess_columns(first, has_header, width)
    else:
        bad = {f"columns.{i}": "not a contact field" for i, c in enumerate(columns) if c and c not in FIELDS}
        if bad:
            raise ConfigValidationError("The column choice is invalid", bad)
        columns = list(columns) + [""] * (width - len(columns))
    header = first if has_header else None
    rows = []
    for index, row in table[1:] if has_header else table:
        data = _contact_of(row, columns)
        try:
            rows.append({"line": index, "cells": row, "contact": checked_contact(data), "error": None})
        except ConfigValidationError as err:
            rows.append({"line": index, "cells": row, "contact": data, "error": _problem(err)})
    return ImportPreview(list(columns), has_header, header, rows)
