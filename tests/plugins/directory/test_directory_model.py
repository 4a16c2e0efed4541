"""Contacts' fields, number matching and the CSV import's reading of files (DIR-07, DIR-08, DIR-09)."""

from __future__ import annotations

import pytest

from cordboard.core.exceptions import ConfigValidationError
from cordboard.plugins.directory.csv_import import check_filename, preview
from cordboard.plugins.directory.model import checked_contact, dialable, number_key, numbers_match


def test_numbers_match_whatever_their_notation() -> None:
    """A trunk's E.164 caller number finds a contact typed in national or 00 form."""
    e164 = number_key("+4533123456")
    for typed in ("33 12 34 56", "+45 33 12 34 56", "0045 33-12-34-56", "(33) 12.34.56"):
        assert numbers_match(e164, number_key(typed)), typed
    assert numbers_match(number_key("+49301234567"), number_key("030 1234567"))
    assert not numbers_match(e164, number_key("+4533123457"))
    # A short number only matches itself: extension 56 is not the end of every number ending in 56.
    assert not numbers_match(e164, number_key("56"))
    assert numbers_match(number_key("1001"), number_key("1001"))
    assert (dialable(" +45 33 12 34 56"), dialable("(0045) 33-12.34 56")) == ("+4533123456", "004533123456")


def test_dir_08_a_contact_needs_a_name_or_company_and_a_number() -> None:
    with pytest.raises(ConfigValidationError) as err:
        checked_contact({"first_name": "", "numbers": []})
    assert set(err.value.fields) == {"last_name", "numbers"}
    with pytest.raises(ConfigValidationError) as err:
        checked_contact(
            {"company": "Acme", "email": "not-an-address", "numbers": [{"type": "work", "number": "12ab"}]}
        )
    assert set(err.value.fields) == {"email", "numbers.0.number"}
    with pytest.raises(ConfigValidationError) as err:
        checked_contact({"company": "Acme", "type": "friend", "numbers": [{"number": "33123456"}]})
    assert "type" in err.value.fields
    fields = checked_contact({"company": " Acme ", "numbers": [{"number": " +45 33 12 34 56 "}]})
    assert fields["company"] == "Acme"
    assert fields["type"] == "contact"
    assert fields["numbers"] == [{"type": "work", "number": "+45 33 12 34 56", "short": ""}]


def test_dir_09_import_reads_a_danish_semicolon_file_with_its_header() -> None:
    text = (
        "\ufeffFornavn;Efternavn;Firma;Mobil;Telefon;E-mail\n"
        "Jens;Jensen;Bager ApS;20 30 40 50;;jens@bager.dk\n"
        "\n"
        "Ole;;;;;ole@example.com\n"
        "Mette;Madsen;;+45 33 12 34 56;;\n"
    )
    found = preview(text)
    assert found.has_header is True
    assert found.columns == ["first_name", "last_name", "company", "number:mobile", "number:work", "email"]
    assert [(r["line"], r["error"] is None) for r in found.rows] == [(2, True), (4, False), (5, True)]
    assert "numbers" in found.rows[1]["error"]
    first = found.rows[0]["contact"]
    assert (first["first_name"], first["company"], first["email"]) == ("Jens", "Bager ApS", "jens@bager.dk")
    assert first["numbers"] == [{"type": "mobile", "number": "20 30 40 50", "short": ""}]
    assert len(found.good) == 2


def test_dir_09_columns_chosen_by_hand_and_files_without_header() -> None:
    text = "Acme Corp,Anna Berg,+4533123456,vip\nBeta Ltd,Bo Bak,+4544556677,blocked\n"
    guessed = preview(text)
    assert guessed.has_header is False
    assert guessed.columns[:3] == ["first_name", "last_name", "number:work"]
    chosen = preview(text, ["company", "full_name", "number:work", "type"], has_header=False)
    contacts = [row["contact"] for row in chosen.rows]
    assert [(c["company"], c["first_name"], c["last_name"], c["type"]) for c in contacts] == [
        ("Acme Corp", "Anna", "Berg", "vip"),
        ("Beta Ltd", "Bo", "Bak", "blocked"),
    ]
    with pytest.raises(ConfigValidationError) as err:
        preview(text, ["company", "shoe_size"])
    assert "columns.1" in err.value.fields


def test_dir_09_rows_keep_their_cells_and_file_lines() -> None:
    """Quoted fields may hold the separator, quotes and line breaks; each row says the file line it
    starts on and its fields as read (the preview shows them under the column choices)."""
    text = (
        'Name;Company;Phone\r\n"Berg, Anna";"Acme ""A/S""";33123456\n\n'
        '"Multi\nline";X;44556677\nLast;Y;1234\n'
    )
    found = preview(text)
    assert found.header == ["Name", "Company", "Phone"]
    assert [(r["line"], r["cells"]) for r in found.rows] == [
        (2, ["Berg, Anna", 'Acme "A/S"', "33123456"]),
        (4, ["Multi\nline", "X", "44556677"]),
        (6, ["Last", "Y", "1234"]),
    ]


def test_dir_09_only_csv_and_txt_files_are_read() -> None:
    check_filename("kontakte.CSV")
    check_filename("contacts.txt")
    for name in ("contacts.pdf", "contacts"):
        with pytest.raises(ConfigValidationError) as err:
            check_filename(name)
        assert ".csv or .txt" in err.value.fields["filename"]
    with pytest.raises(ConfigValidationError) as err:
        preview("\n\n")
    assert "text" in err.value.fields
