"""Number conversion and number types without a Core: the seeds' examples (CNV-02..04), longest
prefix then narrowest interval (CNV-08), emergency numbers never converted (CNV-06), classification
by the longest prefix (BAR-01), and bad rules named by field."""

from __future__ import annotations

from typing import Any

import pytest

from cordboard.core.dialplan.conversion import ConversionRule, convert, validate_rule
from cordboard.core.dialplan.numbers import NumberType, classify, is_international, validate_type
from cordboard.core.exceptions import ConfigValidationError

SPECIAL = ("112", "114")


def rule(
    rid: int, prefix: str, digits: int | None, rewrite: str, *intervals: tuple[str, str]
) -> ConversionRule:
    return ConversionRule(rid, prefix, digits, tuple(intervals), rewrite)


def test_cnv_02_prefix_1_and_three_digits() -> None:
    rules = [rule(1, "1", 3, "+451")]
    assert convert("1813", rules, SPECIAL) == ("+451813", rules[0])
    assert convert("18131", rules, SPECIAL)[0] == "18131", "exactly three digits follow"
    assert convert("2813", rules, SPECIAL)[0] == "2813"


def test_cnv_03_a_local_number_becomes_a_full_one() -> None:
    rules = [rule(1, "20", 1, "+458877317", ("0", "9")), rule(2, "7", 2, "+45888877")]
    assert convert("205", rules, SPECIAL)[0] == "+4588773175"
    assert convert("765", rules, SPECIAL)[0] == "+4588887765"


def test_cnv_04_intervals_and_gaps() -> None:
    rules = [rule(1, "2", 2, "+4588", ("07", "15"), ("17", "29"))]
    assert [convert(n, rules, SPECIAL)[0] for n in ("207", "215", "216", "217", "206")] == [
        "+458807",
        "+458815",
        "216",
        "+458817",
        "206",
    ]


def test_cnv_08_longest_prefix_then_narrowest_interval() -> None:
    wide = rule(1, "2", 2, "+wide")
    narrow = rule(2, "2", 2, "+narrow", ("10", "19"))
    longer = rule(3, "21", 1, "+longer")
    assert convert("215", [wide, narrow, longer], SPECIAL)[1] is longer
    assert convert("215", [wide, narrow], SPECIAL)[1] is narrow
    assert convert("225", [wide, narrow], SPECIAL)[1] is wide


def test_cnv_06_emergency_numbers_and_e164_are_never_converted() -> None:
    everything = [rule(1, "", 3, "+45"), rule(2, "11", 1, "+4511")]
    assert convert("112", everything, SPECIAL) == ("112", None)
    assert convert("114", everything, SPECIAL) == ("114", None)
    assert convert("113", everything, SPECIAL)[0] == "+4511" + "3"
    assert convert("+4933", everything, SPECIAL) == ("+4933", None)
    with pytest.raises(ConfigValidationError) as err:
        validate_rule({"prefix": "11", "digits": 1, "rewrite": "+45"}, SPECIAL)
    assert "emergency" in err.value.fields["prefix"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"prefix": "2", "digits": 2, "intervals": ["15-07"], "rewrite": "+45"}, "intervals.0"),
        ({"prefix": "2", "digits": 2, "intervals": ["7-15"], "rewrite": "+45"}, "intervals.0"),
        ({"prefix": "2", "digits": 3, "intervals": ["07-15"], "rewrite": "+45"}, "intervals.0"),
        ({"prefix": "2", "digits": 2, "intervals": ["07-15", "10-20"], "rewrite": "+45"}, "intervals"),
        ({"prefix": "2", "intervals": ["07-15"], "rewrite": "+45"}, "digits"),
        ({"prefix": "", "rewrite": "+45"}, "digits"),
        ({"prefix": "2a", "digits": 2, "rewrite": "+45"}, "prefix"),
        ({"prefix": "2", "digits": 2, "rewrite": "45+"}, "rewrite"),
        ({"prefix": "2", "digits": 0, "rewrite": "+45"}, "digits"),
    ],
)
def test_bad_conversion_rules_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigValidationError) as err:
        validate_rule(raw, SPECIAL)
    assert field in err.value.fields, err.value.fields


def test_bar_01_types_by_longest_prefix_and_what_is_international() -> None:
    premium = NumberType(1, "Premium", ("+4590",), barred=True)
    mobile = NumberType(2, "Mobile", ("+452", "+4530"), barred=False)
    anywhere = NumberType(3, "Any", ("+",), barred=False)
    types = [anywhere, premium, mobile]
    assert classify("+4590123456", types) is premium
    assert classify("+4530123456", types) is mobile
    assert classify("+4933123456", types) is anywhere
    assert classify("1001", types) is None
    assert not is_international("+4533123456", "DK") and is_international("+4933123456", "DK")
    assert is_international("+4533123456", None), "without a country every E.164 number counts"
    assert not is_international("0045", "DK")
    with pytest.raises(ConfigValidationError) as err:
        validate_type({"name": "X", "prefixes": ["+45", "9x"]})
    assert "prefixes.1" in err.value.fields
    with pytest.raises(ConfigValidationError) as err:
        validate_type({"name": "X", "prefixes": ["+45"], "barred": True, "released": True})
    assert "released" in err.value.fields
