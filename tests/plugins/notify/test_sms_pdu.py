"""SMS-SUBMIT PDUs (NTF, VM-06, GIB-05): published vectors, 7-bit packing with the extension table,
UCS-2 with surrogate pairs, addresses, the SMSC field and concatenation with its header; every PDU
is read back by the modem simulator's own decoder (tests/gsm_modem.py)."""

from __future__ import annotations

import pytest
from gsm_modem import decode_submit

from cordboard.plugins.notify.sms_pdu import (
    encode_address,
    encode_smsc,
    encode_submit,
    gsm7_septets,
    normalize_number,
    pack_septets,
    text_mode_parts,
)


def test_the_published_hellohello_pdu() -> None:
    # The example of countless AT command guides: AT+CMGS=23, then this PDU.
    (pdu,) = encode_submit("+46708251358", "hellohello")
    assert pdu.hex == "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"
    assert pdu.tpdu_length == 23


def test_the_smsc_field() -> None:
    assert encode_smsc(None) == b"\x00"  # the SIM's own SMS centre
    assert encode_smsc("+31624000000").hex().upper() == "07911326040000F0"  # as in the GSM 03.40 examples
    (pdu,) = encode_submit("+46708251358", "hellohello", smsc="+31624000000")
    assert pdu.hex.startswith("07911326040000F011000B91")
    assert pdu.tpdu_length == 23  # the SMSC field is not counted
    sms, length = decode_submit(pdu.hex)
    assert (sms.smsc, sms.to, sms.text, length) == ("+31624000000", "+46708251358", "hellohello", 23)


def test_addresses_international_and_national() -> None:
    assert encode_address("+4520123456").hex().upper() == "0A915402214365"
    assert encode_address("20123456").hex().upper() == "08810221436 5".replace(" ", "")
    assert encode_address("+45 20 12 34 5").hex().upper() == "099154022143F5"  # odd: the last semi-octet F
    assert normalize_number("+45 (20) 12-34.56") == "+4520123456"
    assert normalize_number("004520123456") == "004520123456"
    for bad in ("", "+", "+0123", "12", "+1234567890123456", "45 20 ab", "tel:+4520123456"):
        with pytest.raises(ValueError, match="Not a phone number"):
            normalize_number(bad)


def test_seven_bit_packing_and_the_extension_table() -> None:
    assert pack_septets([0x68, 0x65, 0x6C, 0x6C, 0x6F]).hex().upper() == "E8329BFD06"  # "hello"
    # € is ESC 0x65 and [ is ESC 0x3C: four septets, 28 bits in four octets.
    assert gsm7_septets("€[") == [0x1B, 0x65, 0x1B, 0x3C]
    assert pack_septets([0x1B, 0x65, 0x1B, 0x3C]).hex().upper() == "9BF28607"
    assert gsm7_septets("@£$¥ÄÖÑÜ§¿äöñüà") == [0, 1, 2, 3, 91, 92, 93, 94, 95, 96, 123, 124, 125, 126, 127]
    assert gsm7_septets("Grüße") == [0x47, 0x72, 0x7E, 0x1E, 0x65]  # ü and ß are in the alphabet
    assert gsm7_septets("Grüße 😀") is None and gsm7_septets("ç") is None  # only the capital Ç is
    (pdu,) = encode_submit("+4520123456", "Pris: 10 € [inkl. moms] {ok} ~ ^ | \\")
    sms, _ = decode_submit(pdu.hex)
    assert sms.dcs == 0x00 and sms.text == "Pris: 10 € [inkl. moms] {ok} ~ ^ | \\"
    assert sms.user_data_length == len("Pris: 10 € [inkl. moms] {ok} ~ ^ | \\") + 9  # 9 escapes


def test_ucs2_with_an_emoji_as_a_surrogate_pair() -> None:
    (pdu,) = encode_submit("+4520123456", "Grüße 😀")
    # DCS 08, UDL 16 octets: G r ü ß e space, then U+1F600 as D83D DE00 (UTF-16, as phones show it).
    assert pdu.hex == "0011000A915402214365" + "0008AA10" + "0047007200FC00DF00650020D83DDE00"
    sms, _ = decode_submit(pdu.hex)
    assert (sms.dcs, sms.text) == (0x08, "Grüße 😀")
    (pdu,) = encode_submit("+4520123456", "Привет")  # no emoji, no GSM: plain UCS-2
    assert decode_submit(pdu.hex)[0].text == "Привет"


def _parts(hexes: list[str]) -> list[tuple[str, tuple[int, int, int] | None, int]]:
    decoded = [decode_submit(h)[0] for h in hexes]
    return [(s.text, s.concat, s.user_data_length) for s in decoded]


def test_concatenated_gsm7_parts_with_their_header() -> None:
    assert len(encode_submit("+4520123456", "x" * 160)) == 1
    text = "".join(chr(ord("a") + i % 26) for i in range(153 * 2 + 1))
    pdus = encode_submit("+4520123456", text, reference=0x42)
    assert len(pdus) == 3
    parts = _parts([p.hex for p in pdus])
    assert [p[1] for p in parts] == [(0x42, 3, 1), (0x42, 3, 2), (0x42, 3, 3)]
    assert [p[2] for p in parts] == [160, 160, 8]  # 7 header septets + 153, 153, 1
    assert "".join(p[0] for p in parts) == text
    first = bytes.fromhex(pdus[0].hex)
    assert first[1] == 0x51  # SMS-SUBMIT, relative validity, UDHI
    assert first[14:20].hex().upper() == "050003420301"  # UDH: IEI 00, 8-bit reference 0x42, 3 parts, #1

    # An escape is never the last septet of a part: the € moves to the next one whole.
    text = "x" * 152 + "€" + "y" * 10
    parts = _parts([p.hex for p in encode_submit("+4520123456", text, reference=1)])
    assert [p[0] for p in parts] == ["x" * 152, "€" + "y" * 10]


def test_concatenated_ucs2_parts_never_split_a_pair() -> None:
    assert len(encode_submit("+4520123456", "ж" * 70)) == 1
    assert len(encode_submit("+4520123456", "ж" * 71)) == 2
    parts = _parts([p.hex for p in encode_submit("+4520123456", "😀" * 40, reference=9)])
    # 67 code units would end between the halves of the 34th emoji: 66 units, then the rest.
    assert [(len(p[0]), p[1], p[2]) for p in parts] == [(33, (9, 2, 1), 6 + 132), (7, (9, 2, 2), 6 + 28)]
    assert "".join(p[0] for p in parts) == "😀" * 40


def test_text_mode_parts() -> None:
    assert text_mode_parts("Hello, world!") == ("gsm7", ["Hello, world!"])
    assert text_mode_parts("x" * 161) == ("gsm7", ["x" * 160, "x"])
    assert text_mode_parts("Prices in €") == ("ucs2", ["Prices in €"])  # ESC cannot go in text mode
    assert text_mode_parts("Grüße 😀") == ("ucs2", ["Grüße 😀"])
    with pytest.raises(ValueError):
        encode_submit("+4520123456", "")
