"""SIP/tel URIs and name-addr values: parsing, formatting, escapes and RFC 3261 19.1.4 comparison."""

from __future__ import annotations

import pytest

from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.uri import (
    AbsoluteUri,
    NameAddr,
    SipUri,
    TelUri,
    parse_params,
    parse_uri,
    quote_string,
    read_quoted,
    split_unquoted,
)


def test_parse_full_sip_uri() -> None:
    uri = parse_uri(
        "sips:alice:secret@Example.COM:5061;transport=TCP;lr;maddr=10.0.0.1?subject=hi&priority=urgent"
    )
    assert isinstance(uri, SipUri)
    assert (uri.scheme, uri.user, uri.password, uri.host, uri.port) == (
        "sips",
        "alice",
        "secret",
        "Example.COM",
        5061,
    )
    assert uri.params == {"transport": "TCP", "lr": None, "maddr": "10.0.0.1"}
    assert uri.headers == {"subject": "hi", "priority": "urgent"}
    assert uri.transport == "tcp"
    assert uri.lr
    assert uri.host_port == "Example.COM:5061"


def test_sip_uri_round_trips() -> None:
    text = "sip:alice@example.com:5070;transport=udp;lr?h=v"
    assert str(parse_uri(text)) == text


def test_host_only_uri_and_default_transport() -> None:
    uri = SipUri.parse("sip:example.com")
    assert uri.user is None and uri.port is None
    assert uri.transport == "udp"
    assert SipUri.parse("sips:example.com").transport == "tls"
    assert str(uri) == "sip:example.com"


def test_ipv6_host_stays_bracketed() -> None:
    uri = SipUri.parse("sip:bob@[2001:db8::10]:5060;transport=tcp")
    assert uri.host == "[2001:db8::10]"
    assert uri.port == 5060
    assert str(uri) == "sip:bob@[2001:db8::10]:5060;transport=tcp"
    assert SipUri.parse("sip:[::1]").host == "[::1]"


@pytest.mark.parametrize(
    "text",
    [
        "sip:[2001:db8::10",
        "sip:[]",
        "sip:alice@host:99999",
        "sip:alice@host:12a",
        "sip:@host",
        "sip:alice@",
        "sip:alice@ho st",
        "<sip:alice@host>",
        "sip:alice@host;;lr",
        "sip:alice@host?novalue",
        "nocolon",
        ":empty-scheme",
        "1sip:alice@host",
        "sip:",
        "sip:alice@héllo.example",
    ],
)
def test_malformed_uris_raise_parse_error(text: str) -> None:
    with pytest.raises(SipParseError):
        parse_uri(text)


def test_user_part_escapes_are_decoded_and_reencoded() -> None:
    """RFC 4475 3.1.1.3: %75se%72 is 'user'; escaped characters are re-escaped only when needed."""
    uri = SipUri.parse("sip:%75se%72@example.com")
    assert uri.user == "user"
    assert str(uri) == "sip:user@example.com"
    spaced = SipUri.parse("sip:I%20have%20spaces@example.net")
    assert spaced.user == "I have spaces"
    assert str(spaced) == "sip:I%20have%20spaces@example.net"
    null = SipUri.parse("sip:null-%00-null@example.com")
    assert null.user == "null-\x00-null"
    assert str(null) == "sip:null-%00-null@example.com"


def test_user_part_may_hold_semicolons_and_question_marks() -> None:
    """RFC 4475 3.1.1.9: the user part runs to the '@' and may contain ';'."""
    uri = SipUri.parse("sip:user;par=u%40example.net@example.com")
    assert uri.user == "user;par=u@example.net"
    assert uri.host == "example.com"
    assert uri.params == {}
    assert SipUri.parse(str(uri)) == uri


def test_uri_parameter_names_are_lowercased_and_unescaped() -> None:
    uri = SipUri.parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31")
    assert uri.params == {"lr": None, "name": "value%41"}
    assert uri == SipUri.parse("sip:caller@host5.example.net;lr;name=value%2541")


def test_sip_uri_equality_rfc3261_19_1_4() -> None:
    """RFC 3261 19.1.4 examples: equal and unequal pairs."""
    same = [
        ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"),
        ("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
         "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"),
        ("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
         "sip:alice@atlanta.com?priority=urgent&subject=project%20x"),
    ]  # fmt: skip
    different = [
        ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"),
    ]
    for a, b in same:
        assert parse_uri(a) == parse_uri(b), (a, b)
        assert hash(parse_uri(a)) == hash(parse_uri(b))
    for a, b in different:
        assert parse_uri(a) != parse_uri(b), (a, b)


def test_sip_and_sips_differ() -> None:
    assert SipUri.parse("sip:a@b") != SipUri.parse("sips:a@b")


def test_tel_uri() -> None:
    uri = parse_uri("tel:+1-201-555-0123;phone-context=example.com")
    assert isinstance(uri, TelUri)
    assert uri.number == "+1-201-555-0123"
    assert uri.digits == "+12015550123"
    assert uri.params == {"phone-context": "example.com"}
    assert str(uri) == "tel:+1-201-555-0123;phone-context=example.com"
    assert uri == parse_uri("TEL:+1.201.555.0123;Phone-Context=Example.com")
    with pytest.raises(SipParseError):
        parse_uri("tel:not-a-number!")


def test_other_schemes_are_absolute_uris() -> None:
    """RFC 4475 3.3.2: an unknown scheme parses so the core can answer 416."""
    uri = parse_uri("nobodyKnowsThisScheme:totallyopaquecontent")
    assert uri == AbsoluteUri("nobodyknowsthisscheme", "nobodyKnowsThisScheme:totallyopaquecontent")
    assert str(uri) == "nobodyKnowsThisScheme:totallyopaquecontent"
    assert isinstance(parse_uri("soap.beep://192.0.2.103:3002"), AbsoluteUri)


def test_sip_uri_copy_is_independent() -> None:
    uri = SipUri.parse("sip:a@b;lr")
    copy = uri.copy()
    copy.params["transport"] = "tcp"
    assert "transport" not in uri.params
    assert uri.aor == "sip:a@b"


def test_name_addr_quoted_display_name_with_escapes() -> None:
    addr = NameAddr.parse('"J Rosenberg \\\\\\""  <sip:jdrosen@example.com> ; tag = 98asjd8')
    assert addr.display_name == 'J Rosenberg \\"'
    assert addr.tag == "98asjd8"
    assert str(addr) == '"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8'
    assert NameAddr.parse(str(addr)) == addr


def test_name_addr_token_display_name_without_space() -> None:
    """RFC 4475 3.1.1.6: no LWS is needed between the display name and '<'."""
    addr = NameAddr.parse("caller<sip:caller@example.com>;tag=323")
    assert addr.display_name == "caller"
    assert addr.tag == "323"
    multi = NameAddr.parse("token1~` token2'+_   token3 <sip:m@example.com>")
    assert multi.display_name == "token1~` token2'+_ token3"


def test_addr_spec_parameters_belong_to_the_header() -> None:
    """RFC 3261 20.10: without '<>', parameters after ';' are header parameters."""
    addr = NameAddr.parse("sip:+16505552222@ss1.example.net;user=phone;tag=x")
    assert isinstance(addr.uri, SipUri)
    assert addr.uri.params == {}
    assert addr.params == {"user": "phone", "tag": "x"}
    bracketed = NameAddr.parse("<sip:+16505552222@ss1.example.net;user=phone>;tag=x")
    assert isinstance(bracketed.uri, SipUri)
    assert bracketed.uri.params == {"user": "phone"}
    assert bracketed.params == {"tag": "x"}


def test_name_addr_with_tag_helpers() -> None:
    addr = NameAddr.parse("<sip:a@b>")
    tagged = addr.with_tag("abc")
    assert tagged.tag == "abc" and addr.tag is None
    assert tagged.without_tag() == addr


def test_name_addr_quoted_parameter_value_keeps_quotes() -> None:
    addr = NameAddr.parse('<sip:a@b>;+sip.instance="<urn:uuid:1;2>";expires=60')
    assert addr.params == {"+sip.instance": '"<urn:uuid:1;2>"', "expires": "60"}


@pytest.mark.parametrize(
    "text",
    [
        '"Mr. J. User <sip:j.user@example.com>',  # RFC 4475 3.1.2.6 unterminated quote
        "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",  # RFC 4475 3.1.2.15
        '"Watson, Thomas" < sip:t.watson@example.org >',  # RFC 4475 3.1.2.14
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E",  # RFC 4475 3.1.2.13
        "<sip:a@b",
        "<sip:a@b> junk",
        "<sip:a@b>;;",
        "<sip:a@b>;tag=",
        '"display" sip:a@b',
        "",
    ],
)
def test_malformed_name_addrs_raise_parse_error(text: str) -> None:
    with pytest.raises(SipParseError):
        NameAddr.parse(text)


def test_quote_string_escapes_quotes_backslashes_and_controls() -> None:
    for value in ['a"b\\c', "BEL:\x07 NUL:\x00 DEL:\x7f", "plain"]:
        assert read_quoted(quote_string(value), 0)[0] == value
    assert quote_string("x\r\ny") == '"x  y"'


def test_split_unquoted_respects_quotes_and_angles() -> None:
    assert split_unquoted('a,"b,c",d', ",") == ["a", '"b,c"', "d"]
    assert split_unquoted("<sip:a@b;x=1,2>,<sip:c@d>", ",", angle=True) == ["<sip:a@b;x=1,2>", "<sip:c@d>"]
    assert split_unquoted('"a\\",b",c', ",") == ['"a\\",b"', "c"]


def test_parse_params_allows_lws_around_equals() -> None:
    assert parse_params(" branch  =   z9hG4bK9ikj8 ;rport", where="Via") == {
        "branch": "z9hG4bK9ikj8",
        "rport": None,
    }
    with pytest.raises(SipParseError):
        parse_params('a="unterminated', where="x")
    with pytest.raises(SipParseError):
        parse_params("a=b c", where="x")
