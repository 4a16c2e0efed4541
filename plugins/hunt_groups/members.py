"""Who a hunt group rings: the users of its user groups in order (HG-02), less those who cannot
take a call now (HG-04, HG-05)."""

from __future__ import annotations

from cordboard.core.core import Core
from cordboard.core.identity.users import User
from cordboard.plugins.hunt_groups.model import HuntGroup, Member


def _by_extension(user: User) -> tuple[bool, int, str, str]:
    """Extensions in numeric order (999 before 1000), users without one last."""
    extension = user.extension or ""
    return (not extension, len(extension), extension, user.username)


async def members_of(core: Core, group: HuntGroup) -> list[Member]:
    """HG-02: the users of the group's user groups, by the user groups' priority (SET-02), then by
    extension within each; a user in two of them counts once, where first met."""
    user_groups = {g.id: g for g in await core.identity.list_groups()}
    users = {u.id: u for u in await core.identity.list_users()}
    chosen = sorted(
        (user_groups[i] for i in group.user_groups if i in user_groups), key=lambda g: (g.priority, g.id)
    )
    seen: set[int] = set()
    members: list[Member] = []
    for user_group in chosen:
        for user in sorted((users[i] for i in user_group.members if i in users), key=_by_extension):
            if user.id in seen:
                continue
            seen.add(user.id)
            name = user.full_name.strip() or user.username
            members.append(Member(user.id, name, user.extension or user.username, user.locked))
    return members


def why_skipped(core: Core, group: HuntGroup, member: Member, caller_user_id: int | None) -> str | None:
    """Why ``member`` is not rung for this call (None: ring them): the caller themself, locked,
    do-not-disturb, an excluded activity or role (HG-05), or no phone registered (HG-04)."""
    if member.user_id == caller_user_id:
        return "is the caller"
    if member.locked:
        return "is locked"
    if core.presence is not None:
        presence = core.presence.get(member.user_id)
        if presence.dnd:
            return "is in do-not-disturb"
        if presence.activity_id is not None and presence.activity_id in group.excluded_activities:
            return f"has the excluded activity {presence.activity_id}"
        if presence.role_id is not None and presence.role_id in group.excluded_roles:
            return f"has the excluded presence role {presence.role_id}"
    sip = core.sip
    account = sip.accounts.by_id(member.user_id) if sip is not None else None
    if sip is None or account is None or account.locked or not sip.targets(account):
        return "has no phone registered"
    return None
