"""FC-17: the grammar of a dialled feature code."""

from __future__ import annotations

import pytest

from cordboard.core.features.grammar import DialledCode, MalformedCode, looks_like_code, parse


@pytest.mark.parametrize(
    ("dialled", "expected"),
    [
        ("*21*88887777*", DialledCode(True, "21", ("88887777",))),
        ("*21*88887777", DialledCode(True, "21", ("88887777",))),  # the final * may be left off
        ("#21#*", DialledCode(False, "21", ())),  # both off forms
        ("#21#", DialledCode(False, "21", ())),
        ("**11*1500*", DialledCode(False, "11", ("1500",))),  # ** turns off, with fields
        ("*11*1500*", DialledCode(True, "11", ("1500",))),
        ("*8*", DialledCode(True, "8", ())),
        ("*25*2*88887777*", DialledCode(True, "25", ("2", "88887777"))),
        ("*21*+4588887777*", DialledCode(True, "21", ("+4588887777",))),
        ("*28", DialledCode(True, "28", ())),
    ],
)
def test_fc_17_codes_parse(dialled: str, expected: DialledCode) -> None:
    assert parse(dialled) == expected


@pytest.mark.parametrize("dialled", ["*", "#", "**", "*2a*", "*21**5*", "*1234567*", "*21*12-34*", "*21*+*"])
def test_fc_17_malformed_codes_are_refused(dialled: str) -> None:
    with pytest.raises(MalformedCode):
        parse(dialled)


def test_only_star_and_hash_start_a_code() -> None:
    assert looks_like_code("*8*") and looks_like_code("#21#")
    assert not looks_like_code("1001") and not looks_like_code("+4512345678")
    with pytest.raises(MalformedCode):
        parse("1001")
