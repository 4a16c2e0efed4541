"""Tests of IdentityService: log-in with throttling on username and address, setup, events."""

from __future__ import annotations

from typing import Any

import pytest

from cordboard.core.bus import Event
from cordboard.core.const import MATCH_ALL
from cordboard.core.core import Core
from cordboard.core.exceptions import TooManyAttempts, Unauthorized
from cordboard.core.identity.service import IdentityService
from cordboard.core.identity.sessions import MAX_FAILURES, MAX_FAILURES_PER_ADDRESS

PASSWORD = "correct-password-1"


@pytest.fixture
async def identity(bare_core: Core) -> IdentityService:
    return IdentityService(bare_core)


@pytest.fixture
def events(bare_core: Core) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(event: Event[Any]) -> None:
        seen.append((event.event_type, dict(event.data)))

    bare_core.bus.listen(MATCH_ALL, listener)
    return seen


async def _user(identity: IdentityService, username: str, **extra: Any) -> int:
    user = await identity.create_user(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.com",
        password=PASSWORD,
        **extra,
    )
    return user.id


async def test_start_creates_a_setup_token_until_an_admin_exists(identity: IdentityService) -> None:
    await identity.start()
    assert identity.setup_token
    assert await identity.needs_setup()
    admin = await identity.setup(
        identity.setup_token,
        username="root",
        password=PASSWORD,
        first_name="Ada",
        last_name="Admin",
        email="root@example.com",
    )
    assert admin.is_admin and identity.setup_token is None
    await identity.start()
    assert identity.setup_token is None
    await identity.stop()


async def test_login_token_and_logout(identity: IdentityService) -> None:
    user_id = await _user(identity, "anna", role="admin")
    token, user = await identity.login("anna", PASSWORD, "192.0.2.1", client="pytest")
    assert user.id == user_id
    auth = await identity.authenticate_token(token)
    assert auth is not None and (auth.id, auth.username, auth.is_admin) == (user_id, "anna", True)
    assert await identity.session_expires(token)
    await identity.logout(token)
    assert await identity.authenticate_token(token) is None


async def test_login_is_throttled_per_username(identity: IdentityService) -> None:
    await _user(identity, "anna")
    for number in range(MAX_FAILURES):
        with pytest.raises(Unauthorized):
            await identity.login("anna", "wrong", f"192.0.2.{number}")
    with pytest.raises(TooManyAttempts) as info:
        await identity.login("anna", PASSWORD, "198.51.100.1")
    assert 0 < info.value.retry_after <= 60


async def test_login_is_throttled_per_address(identity: IdentityService) -> None:
    await _user(identity, "anna")
    for number in range(MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(Unauthorized):
            await identity.login(f"guess{number}", "wrong", "203.0.113.9")
    with pytest.raises(TooManyAttempts):
        await identity.login("anna", PASSWORD, "203.0.113.9")
    token, _user_obj = await identity.login("anna", PASSWORD, "203.0.113.10")
    assert token


async def test_success_clears_failures(identity: IdentityService) -> None:
    await _user(identity, "anna")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(Unauthorized):
            await identity.login("anna", "wrong", "192.0.2.1")
    await identity.login("anna", PASSWORD, "192.0.2.1")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(Unauthorized):
            await identity.login("anna", "wrong", "192.0.2.1")
    await identity.login("anna", PASSWORD, "192.0.2.1")


async def test_locked_user_is_refused_without_counting(identity: IdentityService) -> None:
    await _user(identity, "root", role="admin")
    anna = await _user(identity, "anna")
    token, _user_obj = await identity.login("anna", PASSWORD, "192.0.2.1")
    await identity.lock_user(anna)
    assert await identity.authenticate_token(token) is None
    for _ in range(MAX_FAILURES + 1):
        with pytest.raises(Unauthorized, match="account is locked"):
            await identity.login("anna", PASSWORD, "192.0.2.1")
    await identity.unlock_user(anna)
    assert (await identity.login("anna", PASSWORD, "192.0.2.1"))[1].id == anna


async def test_password_change_keeps_the_callers_session(identity: IdentityService) -> None:
    anna = await _user(identity, "anna")
    mine, _ = await identity.login("anna", PASSWORD, "192.0.2.1")
    other, _ = await identity.login("anna", PASSWORD, "192.0.2.2")
    assert await identity.check_password(anna, PASSWORD)
    await identity.set_password(anna, "new-password-2", keep_token=mine)
    assert not await identity.check_password(anna, PASSWORD)
    assert await identity.authenticate_token(mine) is not None
    assert await identity.authenticate_token(other) is None


async def test_events_are_fired(identity: IdentityService, events: list[tuple[str, dict[str, Any]]]) -> None:
    await _user(identity, "root", role="admin")
    anna = await _user(identity, "anna")
    group = await identity.create_group("Sales")
    await identity.set_group_members(group.id, [anna])
    await identity.update_user(anna, {"last_name": "Meyer", "first_name": "Anna"})
    await identity.set_pin(anna, "4711")
    await identity.lock_user(anna)
    await identity.reorder_groups([group.id])
    await identity.delete_user(anna)
    assert events == [
        ("user.created", {"user_id": 1}),
        ("user.created", {"user_id": anna}),
        ("group.updated", {"group_id": group.id}),
        ("group.updated", {"group_id": group.id}),
        ("user.updated", {"user_id": anna}),
        # What changed, never a value (NTF-02 e-mails about it); an unchanged field is not named.
        ("user.updated", {"user_id": anna, "changes": ["last_name"]}),
        ("user.updated", {"user_id": anna, "changes": ["pin"]}),
        ("user.updated", {"user_id": anna, "changes": ["locked"]}),
        ("group.updated", {"group_id": None}),
        ("user.deleted", {"user_id": anna}),
    ]


async def test_bar_05_pin_checks_on_phones_are_throttled(identity: IdentityService) -> None:
    """A PIN keyed on a phone (BAR-05's release PIN): right or wrong, and after MAX_FAILURES wrong
    ones even the right PIN is refused for a while; a right PIN before that clears the count."""
    anna = await _user(identity, "anna")
    await identity.set_pin(anna, "4711")
    assert await identity.check_pin(anna, "4711")
    for _ in range(MAX_FAILURES - 1):
        assert not await identity.check_pin(anna, "0000")
    assert await identity.check_pin(anna, "4711"), "below the limit; the right PIN clears the count"
    for _ in range(MAX_FAILURES):
        assert not await identity.check_pin(anna, "0000")
    with pytest.raises(TooManyAttempts) as blocked:
        await identity.check_pin(anna, "4711")
    assert blocked.value.retry_after > 0
