"""The contacts in the desk phones' phone book (BYD-29), rendered by the real Yealink plugin."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cordboard.core.core import Core
from cordboard.core.http.access import AuthUser
from cordboard.plugins.directory.const import DIRECTORY_KEY
from cordboard.plugins.provision_yealink.render import render_phone_book

BASE_URL = "http://192.0.2.10:8123/provision/ticket/"


async def test_byd_29_a_phone_book_holds_colleagues_then_the_contacts_its_user_sees(core: Core) -> None:
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="Test", email="anna@example.com", extension="1001"
    )
    bo = await core.identity.create_user(
        username="bo", first_name="Bo", last_name="Test", email="bo@example.com", extension="1002"
    )
    directory = core.data[DIRECTORY_KEY]
    await directory.reload_users()
    admin = AuthUser(0, "root", True)
    await directory.create(
        admin, "org", None, {"company": "Harbour Taxi", "numbers": [{"number": "+4570102030"}]}
    )
    own = {"first_name": "Mor", "numbers": [{"type": "mobile", "number": "+4520304050"}]}
    await directory.create(AuthUser(anna.id, "anna", False), "user", anna.id, own)
    blocked = {"company": "Pushy Sales", "type": "blocked", "numbers": [{"number": "+4570000002"}]}
    await directory.create(AuthUser(anna.id, "anna", False), "user", anna.id, blocked)

    def book(user_id: int | None) -> list[tuple[str, str]]:
        return [(e.name, e.number) for e in config_of[user_id].directory]

    assert core.provisioning is not None
    config_of = {
        user_id: await core.provisioning.phone_config("805ec0a1b2c3", "SIP-T46U", user_id, BASE_URL)
        for user_id in (anna.id, bo.id, None)
    }
    colleagues = [("Anna Test", "1001"), ("Bo Test", "1002")]
    assert book(anna.id) == [*colleagues, ("Harbour Taxi", "+4570102030"), ("Mor (mobile)", "+4520304050")]
    assert book(bo.id) == [*colleagues, ("Harbour Taxi", "+4570102030")]  # not Anna's private ones
    assert book(None) == [*colleagues, ("Harbour Taxi", "+4570102030")]

    xml = ET.fromstring(render_phone_book(config_of[anna.id]))
    names = [entry.findtext("Name") for entry in xml.iter("DirectoryEntry")]
    assert names == ["Anna Test", "Bo Test", "Harbour Taxi", "Mor (mobile)"]


async def test_dir_a_caller_is_known_by_the_contacts_the_user_sees_then_by_colleagues_mobiles(
    core: Core,
) -> None:
    """The lookup behind caller names (BAR-07's blocking included): the called user's own entry
    wins over the organisation's, a colleague calling from their mobile is named as such, and an
    unknown number is nobody."""
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="Test", email="anna@example.com", extension="1001"
    )
    await core.identity.create_user(
        username="pia", first_name="Pia", last_name="Prinz", email="pia@example.com", mobile="+4520202020"
    )
    directory = core.data[DIRECTORY_KEY]
    await directory.reload_users()
    admin = AuthUser(0, "root", True)
    await directory.create(admin, "org", None, {"company": "Acme", "numbers": [{"number": "+4533123456"}]})
    own = {"first_name": "Bo", "type": "blocked", "numbers": [{"number": "33 12 34 56"}]}
    await directory.create(AuthUser(anna.id, "anna", False), "user", anna.id, own)

    match = directory.lookup(anna.id, "+4533123456")
    assert match is not None and (match.name, match.blocked) == ("Bo", True)
    other = await core.identity.create_user(
        username="cy", first_name="Cy", last_name="Test", email="cy@example.com", extension="1003"
    )
    await directory.reload_users()
    match = directory.lookup(other.id, "+4533123456")
    assert match is not None and (match.name, match.blocked) == ("Acme", False)
    match = directory.lookup(anna.id, "0045 20 20 20 20")
    assert match is not None and match.name == "Pia Prinz (mobile)"
    assert directory.lookup(anna.id, "+4599999999") is None
