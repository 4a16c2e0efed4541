"""NUM-09 and the trunk's caller-ID rules (CLI), without the network."""

from __future__ import annotations

from typing import Any

from cordboard.core.trunks.model import Trunk, to_e164
from cordboard.core.trunks.service import TrunkService


def test_num_09_numbers_from_a_trunk_in_e164() -> None:
    dk = Trunk(name="dk", country_code="45")
    de = Trunk(name="de", country_code="49", national_prefix="0")
    assert to_e164("89000011", dk) == "+4589000011"
    assert to_e164("+4589000011", dk) == "+4589000011"
    assert to_e164("004589000011", dk) == "+4589000011"
    assert to_e164("089840798192", de) == "+4989840798192"
    assert to_e164("1001", Trunk(name="bare")) == "1001"


def test_cli_trunk_presents_the_users_did_else_its_default() -> None:
    service: Any = TrunkService.__new__(TrunkService)
    trunk = Trunk(name="t", caller_ids=["+4589000000", "+4589000010"], default_caller_id="+4589000000")
    assert service.caller_id_for(trunk, ["1002", "+4589000010"]) == "+4589000010"
    assert service.caller_id_for(trunk, ["1003", "+4511111111"]) == "+4589000000"  # not the trunk's
    assert service.caller_id_for(trunk, ["1003"]) == "+4589000000"
    assert service.caller_id_for(trunk, ["+4589000010"], anonymous=True) is None
    strict = Trunk(name="s", allow_anonymous=False, default_caller_id="+4589000000")
    assert service.caller_id_for(strict, [], anonymous=True) == "+4589000000"
