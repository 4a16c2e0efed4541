"""The core's own tables and their migrations (plugins keep theirs in their own folders)."""

from __future__ import annotations

from typing import Final

import sqlite_utils

from cordboard.core.storage.migrations import Migration


def _v1_initial(db: sqlite_utils.Database) -> None:
    # users and user_groups use AUTOINCREMENT so an id is never reused: rows that still name a
    # deleted user or group (plugin tables, logs, settings) never point at a newcomer.
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT,
            mobile TEXT,
            extension TEXT UNIQUE,
            language TEXT NOT NULL DEFAULT 'en',
            timezone TEXT,
            role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
            password_hash TEXT,
            pin_hash TEXT,
            ha1_md5 TEXT,
            ha1_sha256 TEXT,
            locked INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE user_groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL DEFAULT '',
            priority INTEGER NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE group_members (
            group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (group_id, user_id)
        )"""
    )
    db.execute("CREATE INDEX group_members_user ON group_members(user_id)")
    db.execute(
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created REAL NOT NULL,
            expires REAL NOT NULL,
            client TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute(
        """CREATE TABLE auth_failures (
            key TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            first_failure REAL NOT NULL,
            blocked_until REAL NOT NULL DEFAULT 0,
            blocks INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute(
        """CREATE TABLE setting_values (
            scope TEXT NOT NULL CHECK (scope IN ('org', 'group', 'user')),
            scope_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated REAL NOT NULL,
            PRIMARY KEY (scope, scope_id, key)
        )"""
    )
    db.execute(
        """CREATE TABLE plugins (
            domain TEXT PRIMARY KEY,
            enabled INTEGER NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE states (
            entity_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            attributes TEXT NOT NULL,
            last_changed REAL NOT NULL,
            last_updated REAL NOT NULL
        )"""
    )


def _v2_telephony(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE registrations (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            contact TEXT NOT NULL,
            call_id TEXT NOT NULL,
            cseq INTEGER NOT NULL,
            expires_at REAL NOT NULL,
            registered_at REAL NOT NULL,
            transport TEXT NOT NULL,
            source_host TEXT NOT NULL,
            source_port INTEGER NOT NULL,
            user_agent TEXT NOT NULL DEFAULT '',
            instance_id TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (user_id, key)
        )"""
    )
    db.execute(
        """CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            sip_call_id TEXT NOT NULL,
            caller TEXT NOT NULL,
            caller_name TEXT NOT NULL DEFAULT '',
            caller_user_id INTEGER,
            callee TEXT NOT NULL,
            callee_name TEXT NOT NULL DEFAULT '',
            callee_user_id INTEGER,
            started REAL NOT NULL,
            answered REAL,
            ended REAL NOT NULL,
            duration REAL NOT NULL DEFAULT 0,
            result TEXT NOT NULL
                CHECK (result IN ('answered', 'busy', 'no_answer', 'cancelled', 'failed', 'rejected')),
            sip_code INTEGER,
            reason TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX calls_started ON calls(started)")
    db.execute("CREATE INDEX calls_caller_user ON calls(caller_user_id, started)")
    db.execute("CREATE INDEX calls_callee_user ON calls(callee_user_id, started)")


def _v3_call_route(db: sqlite_utils.Database) -> None:
    # The path a call took (issue 5 scope 9): the routing rule, terminal plan or presence diversion.
    db.execute("ALTER TABLE calls ADD COLUMN route TEXT NOT NULL DEFAULT ''")


CORE_MIGRATIONS: Final = (
    Migration(1, "users, groups, sessions, settings, plugins, states", _v1_initial),
    Migration(2, "registrations and call history", _v2_telephony),
    Migration(3, "the route a call took", _v3_call_route),
)
