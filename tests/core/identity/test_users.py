"""Tests of the user and group repository (USR-01..09, ROLE-02)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cordboard.core.exceptions import ConfigValidationError, Conflict, NotFound, Unauthorized
from cordboard.core.identity import users
from cordboard.core.identity.digest import ha1_pair
from cordboard.core.identity.sessions import (
    authenticate_password,
    create_session,
    resolve_session,
    token_hash,
)
from cordboard.core.identity.users import (
    create_group,
    create_user,
    delete_group,
    delete_user,
    get_group,
    get_user,
    list_groups,
    list_users,
    lock_user,
    reorder_groups,
    set_group_members,
    set_user_groups,
    unlock_user,
    update_user,
    user_aor,
)

PASSWORD = "Plaintext-Web-Secret-1"
SIP_PASSWORD = "Plaintext-Sip-Secret-2"
PIN = "90817263"


# -- USR-01: required fields and field errors --------------------------------------------------


def test_usr_01_create_user_with_required_fields(db) -> None:
    user = create_user(db, username="Anna", first_name="Anna", last_name="Schmidt", email="anna@example.com")
    assert user.username == "anna"
    assert (user.first_name, user.last_name, user.email) == ("Anna", "Schmidt", "anna@example.com")
    assert user.phone is None and user.mobile is None and user.extension is None
    assert user.role == "user" and not user.locked and user.language == "en"
    assert not (user.has_password or user.has_pin or user.has_sip_password)
    assert get_user(db, user.id) == user


def test_usr_01_missing_fields_are_named(db) -> None:
    with pytest.raises(ConfigValidationError) as info:
        create_user(db, username="", first_name="", last_name="  ", email="")
    assert info.value.fields["username"] == "required"
    assert info.value.fields["first_name"] == "required"
    assert info.value.fields["email"] == "required"
    assert info.value.fields["last_name"] == "must not be empty"
    assert list_users(db) == []


def test_usr_01_invalid_fields_are_named(db) -> None:
    with pytest.raises(ConfigValidationError) as info:
        create_user(
            db,
            username="9lives",
            first_name="Anna",
            last_name="Schmidt",
            email="not-an-address",
            extension="12a",
            password="short",
            pin="12",
            phone="call me",
            language="fr",
            timezone="Mars/Olympus",
        )
    assert set(info.value.fields) == {
        "username",
        "email",
        "extension",
        "password",
        "pin",
        "phone",
        "language",
        "timezone",
    }


def test_usr_01_phone_numbers_are_optional(make_user) -> None:
    user = make_user("anna", phone="+49 30 1234567", mobile="", timezone="Europe/Berlin", language="de")
    assert user.phone == "+49 30 1234567"
    assert user.mobile is None
    assert (user.timezone, user.language) == ("Europe/Berlin", "de")


def test_usr_02_many_users_are_accepted(make_user, db) -> None:
    for number in range(60):
        make_user(f"user{number}", extension=str(1000 + number))
    assert len(list_users(db)) == 60


def test_unique_username_case_insensitive(make_user) -> None:
    make_user("anna")
    with pytest.raises(Conflict, match="username anna is already taken"):
        make_user("ANNA")


def test_unique_extension_names_its_owner(make_user, db) -> None:
    make_user("anna", extension="1001")
    with pytest.raises(Conflict, match="extension 1001 already belongs to anna"):
        make_user("bert", extension="1001")
    bert = make_user("bert", extension="1002")
    with pytest.raises(Conflict, match="extension 1001 already belongs to anna"):
        update_user(db, bert.id, {"extension": "1001"})
    with pytest.raises(Conflict, match="username anna is already taken"):
        update_user(db, bert.id, {"username": "anna"})
    assert update_user(db, bert.id, {"extension": "1002"}) == get_user(db, bert.id)


# -- updates ------------------------------------------------------------------------------------


def test_update_user_is_partial_and_validated(make_user, db) -> None:
    anna = make_user("anna", phone="+4930123456")
    changed = update_user(db, anna.id, {"last_name": "Meyer", "mobile": "+49 170 1234567"})
    assert (changed.first_name, changed.last_name, changed.phone) == ("Anna", "Meyer", "+4930123456")
    assert changed.mobile == "+49 170 1234567"
    assert changed.updated >= anna.updated
    with pytest.raises(ConfigValidationError) as info:
        update_user(db, anna.id, {"first_name": "", "email": "x", "password_hash": "oops"})
    assert info.value.fields == {
        "first_name": "must not be empty",
        "email": "expected an e-mail address such as anna@example.com",
        "password_hash": "unknown field",
    }
    assert get_user(db, anna.id) == changed
    with pytest.raises(NotFound):
        update_user(db, 999, {"last_name": "X"})


def test_sql_looking_text_is_stored_verbatim(make_user, db) -> None:
    name = "Robert'); DROP TABLE users;--"
    user = make_user("bobby", first_name=name)
    assert get_user(db, user.id).first_name == name
    assert [u.username for u in list_users(db, "DROP TABLE")] == ["bobby"]


def test_rename_clears_or_recomputes_sip_credentials(make_user, db) -> None:
    anna = make_user("anna", sip_password=SIP_PASSWORD)
    assert anna.has_sip_password
    renamed = update_user(db, anna.id, {"username": "anna.s"})
    assert not renamed.has_sip_password
    again = update_user(db, anna.id, {"username": "anna", "sip_password": SIP_PASSWORD})
    assert again.has_sip_password
    assert users.sip_ha1(db, "anna") == ha1_pair("anna", "cordboard", SIP_PASSWORD)


# -- USR-03 ------------------------------------------------------------------------------------


def test_usr_03_aor_is_derived_from_username(make_user) -> None:
    assert user_aor("anna", "pbx.local") == "sip:anna@pbx.local"
    assert make_user("Anna").aor("pbx.local") == "sip:anna@pbx.local"


# -- USR-04: secrets stored as hashes and HA1 only ----------------------------------------------


def test_usr_04_secrets_never_stored_in_clear(make_user, db, db_path: Path) -> None:
    anna = make_user("anna", password=PASSWORD, pin=PIN, sip_password=SIP_PASSWORD)
    assert anna.has_password and anna.has_pin and anna.has_sip_password
    row = db.execute("SELECT password_hash, pin_hash, ha1_md5, ha1_sha256 FROM users").fetchone()
    assert row[0].startswith("scrypt$16384$8$1$") and row[1].startswith("scrypt$")
    assert (row[2], row[3]) == ha1_pair("anna", "cordboard", SIP_PASSWORD)
    users.set_password(db, anna.id, PASSWORD + "x")
    users.set_sip_password(db, anna.id, SIP_PASSWORD + "y")
    users.set_pin(db, anna.id, PIN[::-1])
    data = b"".join(p.read_bytes() for p in db_path.parent.iterdir() if p.name.startswith(db_path.name))
    for secret in (PASSWORD, SIP_PASSWORD, PIN, PASSWORD + "x", SIP_PASSWORD + "y", PIN[::-1]):
        assert secret.encode() not in data


def test_usr_04_as_dict_has_no_hashes(make_user) -> None:
    data = make_user("anna", password=PASSWORD, pin=PIN, sip_password=SIP_PASSWORD).as_dict()
    assert not any("hash" in key or "ha1" in key for key in data)
    assert data["has_password"] and data["has_pin"] and data["has_sip_password"]
    assert PASSWORD not in repr(data) and SIP_PASSWORD not in repr(data)


def test_usr_04_password_and_pin_can_be_changed(make_user, db) -> None:
    anna = make_user("anna", password=PASSWORD, pin=PIN)
    users.set_pin(db, anna.id, "4711")
    assert users.verify_pin(db, anna.id, "4711") and not users.verify_pin(db, anna.id, PIN)
    users.set_password(db, anna.id, "another-password")
    assert authenticate_password(db, "anna", "another-password").id == anna.id
    with pytest.raises(ConfigValidationError) as info:
        users.set_pin(db, anna.id, "12ab")
    assert info.value.fields == {"pin": "a PIN is 4 to 12 digits"}
    with pytest.raises(ConfigValidationError) as info:
        users.set_sip_password(db, anna.id, "short")
    assert "sip_password" in info.value.fields
    with pytest.raises(NotFound):
        users.set_pin(db, 999, "4711")


def test_password_change_ends_other_sessions(make_user, db) -> None:
    anna = make_user("anna", password=PASSWORD)
    kept, other = create_session(db, anna.id), create_session(db, anna.id)
    users.set_password(db, anna.id, "another-password", keep_token_hash=token_hash(kept))
    assert resolve_session(db, kept) is not None
    assert resolve_session(db, other) is None


# -- USR-08: lock and unlock --------------------------------------------------------------------


def test_usr_08_lock_refuses_login_token_and_sip(make_user, db) -> None:
    make_user("root", password=PASSWORD, role="admin")
    anna = make_user("anna", password=PASSWORD, sip_password=SIP_PASSWORD)
    token = create_session(db, anna.id)
    assert lock_user(db, anna.id).locked
    assert resolve_session(db, token) is None
    with pytest.raises(Unauthorized, match="account is locked"):
        authenticate_password(db, "anna", PASSWORD)
    with pytest.raises(Unauthorized, match="wrong username or password"):
        authenticate_password(db, "anna", "wrong-password")
    assert users.sip_ha1(db, "anna") is None
    assert not unlock_user(db, anna.id).locked
    assert authenticate_password(db, "anna", PASSWORD).id == anna.id
    assert users.sip_ha1(db, "anna") == ha1_pair("anna", "cordboard", SIP_PASSWORD)


def test_delete_user_removes_sessions_memberships_and_settings(make_user, db) -> None:
    make_user("root", role="admin")
    anna = make_user("anna", password=PASSWORD)
    group = create_group(db, "Sales")
    set_user_groups(db, anna.id, [group.id])
    token = create_session(db, anna.id)
    with db.atomic():
        db.execute(
            "INSERT INTO setting_values VALUES ('user', ?, 'core.language', '\"de\"', 0)", [str(anna.id)]
        )
    delete_user(db, anna.id)
    with pytest.raises(NotFound):
        get_user(db, anna.id)
    assert resolve_session(db, token) is None
    assert get_group(db, group.id).members == []
    assert db.execute("SELECT COUNT(*) FROM setting_values").fetchone()[0] == 0
    assert make_user("bert").id != anna.id, "ids are never reused"


# -- ROLE-02: the last administrator ------------------------------------------------------------


def test_role_02_last_admin_cannot_be_deleted_demoted_or_locked(make_user, db) -> None:
    root = make_user("root", role="admin")
    with pytest.raises(Conflict, match="last administrator"):
        delete_user(db, root.id)
    with pytest.raises(Conflict, match="last administrator"):
        update_user(db, root.id, {"role": "user"})
    with pytest.raises(Conflict, match="last administrator"):
        lock_user(db, root.id)
    assert get_user(db, root.id).is_admin


def test_role_02_a_locked_admin_does_not_count(make_user, db) -> None:
    root = make_user("root", role="admin")
    second = make_user("second", role="admin")
    lock_user(db, second.id)
    with pytest.raises(Conflict):
        delete_user(db, root.id)
    unlock_user(db, second.id)
    update_user(db, root.id, {"role": "user"})
    assert not get_user(db, root.id).is_admin
    with pytest.raises(Conflict):
        delete_user(db, second.id)
    delete_user(db, root.id)


# -- search -------------------------------------------------------------------------------------


def test_list_users_searches_every_text_field(make_user, db) -> None:
    make_user("anna", last_name="Schmidt", extension="1001", mobile="+49 170 555")
    make_user("bert", last_name="Schulz", extension="1002", email="b@corp.example")
    make_user("carla", last_name="Smith_Jones", extension="1003")
    assert [u.username for u in list_users(db)] == ["anna", "bert", "carla"]
    assert [u.username for u in list_users(db, "sch")] == ["anna", "bert"]
    assert [u.username for u in list_users(db, "1002")] == ["bert"]
    assert [u.username for u in list_users(db, "corp.example")] == ["bert"]
    assert [u.username for u in list_users(db, "170 555")] == ["anna"]
    assert [u.username for u in list_users(db, "anna schmidt")] == ["anna"]
    assert [u.username for u in list_users(db, "h_j")] == ["carla"]
    assert list_users(db, "%") == []
    assert list_users(db, "   ") == list_users(db)


# -- USR-09 and groups --------------------------------------------------------------------------


def test_usr_09_membership_is_the_same_from_both_sides(make_user, db) -> None:
    anna, bert = make_user("anna"), make_user("bert")
    sales, support = create_group(db, "Sales"), create_group(db, "Support")
    set_user_groups(db, anna.id, [support.id, sales.id])
    assert get_group(db, sales.id).members == [anna.id]
    assert get_group(db, support.id).members == [anna.id]
    assert get_user(db, anna.id).groups == [sales.id, support.id], "ordered by group rank"
    set_group_members(db, sales.id, [bert.id])
    assert get_user(db, anna.id).groups == [support.id]
    assert get_user(db, bert.id).groups == [sales.id]
    assert {g.id: g.members for g in list_groups(db)} == {sales.id: [bert.id], support.id: [anna.id]}
    with pytest.raises(ConfigValidationError) as info:
        set_group_members(db, sales.id, [bert.id, 999])
    assert info.value.fields == {"user_ids": "no user with id 999"}
    with pytest.raises(ConfigValidationError) as info:
        set_user_groups(db, anna.id, [998])
    assert info.value.fields == {"groups": "no group with id 998"}
    assert get_group(db, sales.id).members == [bert.id]


def test_create_user_with_groups(make_user, db) -> None:
    sales = create_group(db, "Sales")
    anna = make_user("anna", groups=[sales.id])
    assert anna.groups == [sales.id]
    with pytest.raises(ConfigValidationError):
        make_user("bert", groups=[sales.id + 1])


def test_groups_priority_delete_and_reorder(db) -> None:
    a, b, c = (create_group(db, name) for name in ("A", "B", "C"))
    assert [(g.name, g.priority) for g in list_groups(db)] == [("A", 1), ("B", 2), ("C", 3)]
    delete_group(db, b.id)
    assert [(g.name, g.priority) for g in list_groups(db)] == [("A", 1), ("C", 2)]
    reorder_groups(db, [c.id, a.id])
    assert [(g.name, g.priority) for g in list_groups(db)] == [("C", 1), ("A", 2)]
    assert create_group(db, "D").priority == 3
    for bad in ([c.id], [c.id, a.id, a.id], [c.id, a.id, 999, b.id]):
        with pytest.raises(ConfigValidationError):
            reorder_groups(db, bad)
    with pytest.raises(NotFound):
        delete_group(db, b.id)


def test_group_names_are_unique_and_validated(db) -> None:
    sales = create_group(db, "Sales", "the sales team")
    with pytest.raises(Conflict, match="a group named sales already exists"):
        create_group(db, "sales")
    with pytest.raises(ConfigValidationError) as info:
        create_group(db, "")
    assert info.value.fields == {"name": "must not be empty"}
    other = create_group(db, "Support")
    with pytest.raises(Conflict):
        users.update_group(db, other.id, {"name": "Sales"})
    renamed = users.update_group(db, sales.id, {"description": "new"})
    assert (renamed.name, renamed.description) == ("Sales", "new")
    with pytest.raises(ConfigValidationError) as info:
        users.update_group(db, sales.id, {"priority": 1})
    assert info.value.fields == {"priority": "unknown field"}
