"""ROLE-04 group administrators: a function number (a group inbox, a virtual switch, an announcement
element) names the user groups whose members may administer it (``admin_groups``). Such a member,
who need not be an administrator, may read and change that function number (and switch or lock it)
through its plugin's routes, but not create or delete one, nor choose who administers it; the
routes declare ``access="user"`` and ask here. Administrators may do everything.

Which admin pages a user reaches this way is what ``GET /api/auth/me`` gives as ``administers``:
the plugins answer ``cordboard_group_admin_pages``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

from aiohttp import web

from cordboard.core.http.access import current_user
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY

ADMIN_GROUPS: Final = "admin_groups"
"""The field of a function number that lists the user groups administering it."""
NOT_YOURS: Final = "This needs an administrator or a group administrator of it"
ONLY_ADMINS: Final = "only administrators choose the group administrators"
ONLY_ADMINS_CHANGE: Final = "only administrators change this"

_T = TypeVar("_T")


async def user_groups(request: web.Request) -> set[int] | None:
    """The ids of the request's user's groups; None for an administrator (who may do everything)."""
    user = current_user(request)
    if user.is_admin:
        return None
    found = await request.app[CORE_KEY].identity.get_user(user.id)
    return set(found.groups)


def may_administer(groups: set[int] | None, admin_groups: Iterable[int]) -> bool:
    """Whether a user with ``groups`` (None: an administrator) administers an item listing
    ``admin_groups``."""
    return groups is None or not groups.isdisjoint(admin_groups)


async def administered(
    request: web.Request, items: Iterable[_T], admin_groups_of: Callable[[_T], Iterable[int]]
) -> list[_T]:
    """The items the request's user may administer (all of them for an administrator); 403 for a
    user who administers none of them."""
    groups = await user_groups(request)
    found = [item for item in items if may_administer(groups, admin_groups_of(item))]
    if groups is not None and not found:
        raise ApiError(403, "forbidden", NOT_YOURS)
    return found


async def require_group_admin(request: web.Request, admin_groups: Iterable[int]) -> bool:
    """Refuse (403) a user who is neither an administrator nor in one of ``admin_groups``; True
    for an administrator, False for a group administrator."""
    groups = await user_groups(request)
    if not may_administer(groups, admin_groups):
        raise ApiError(403, "forbidden", NOT_YOURS)
    return groups is None


def _same(sent: Any, stored: Any) -> bool:
    """Whether a sent field equals the stored one; lists of ids in any order and repeated alike."""
    if isinstance(stored, (list, tuple, set, frozenset)):
        try:
            return sorted(set(sent or [])) == sorted(set(stored))
        except TypeError:  # not a list of ids: the schema would refuse it anyway
            return False
    return bool(sent == stored)


async def checked_change(
    request: web.Request,
    admin_groups: Iterable[int],
    data: Mapping[str, Any],
    kept: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields to save for a change of an item listing ``admin_groups``. A group administrator
    is refused (403) unless they administer the item, and when the change would choose other group
    administrators (only administrators do that); leaving ``admin_groups`` out keeps them. ``kept``
    names further fields only administrators change, with their stored values: a group
    administrator who leaves one out keeps it, one who sends another value is refused by field."""
    current = sorted(set(admin_groups))
    if await require_group_admin(request, current):
        return dict(data)
    if ADMIN_GROUPS in data and not _same(data[ADMIN_GROUPS], current):
        raise ApiError(403, "forbidden", ONLY_ADMINS.capitalize(), {ADMIN_GROUPS: ONLY_ADMINS})
    stored = dict(kept or {})
    refused = {
        name: ONLY_ADMINS_CHANGE
        for name, value in stored.items()
        if name in data and not _same(data[name], value)
    }
    if refused:
        raise ApiError(403, "forbidden", ONLY_ADMINS_CHANGE.capitalize(), refused)
    return {**data, **stored, ADMIN_GROUPS: current}
