"""Tests of scrypt secret hashing and SIP digest HA1 values."""

from __future__ import annotations

import hashlib

import pytest

from cordboard.core.identity.digest import DEFAULT_REALM, ha1, ha1_pair, sip_realm
from cordboard.core.identity.passwords import dummy_hash, hash_secret, verify_secret


def test_hash_format_and_round_trip() -> None:
    encoded = hash_secret("correct horse")
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest
    assert verify_secret("correct horse", encoded)
    assert not verify_secret("correct horsE", encoded)


def test_same_secret_gets_different_salts() -> None:
    assert hash_secret("1234") != hash_secret("1234")


@pytest.mark.parametrize(
    "encoded",
    [None, "", "plain", "scrypt$16384$8$1$nope$nope", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AAAA$AAAA"],
)
def test_malformed_hashes_never_match(encoded: str | None) -> None:
    assert not verify_secret("anything", encoded)


def test_absurd_parameters_are_refused() -> None:
    salt, digest = hash_secret("x").split("$")[4:]
    assert not verify_secret("x", f"scrypt${2**30}$8$1${salt}${digest}")


def test_dummy_hash_matches_nothing_obvious() -> None:
    assert dummy_hash() == dummy_hash()
    assert not verify_secret("", dummy_hash())


def test_ha1_values() -> None:
    expected_md5 = hashlib.md5(b"anna:cordboard:secret", usedforsecurity=False).hexdigest()
    expected_sha = hashlib.sha256(b"anna:cordboard:secret").hexdigest()
    assert ha1("anna", "cordboard", "secret") == expected_md5
    assert ha1("anna", "cordboard", "secret", "SHA-256") == expected_sha
    assert ha1_pair("anna", "cordboard", "secret") == (expected_md5, expected_sha)
    with pytest.raises(ValueError):
        ha1("anna", "cordboard", "secret", "SHA-512")  # type: ignore[arg-type]


def test_sip_realm_default_and_meta(db) -> None:
    assert sip_realm(db) == DEFAULT_REALM
    with db.atomic():
        db.execute("INSERT INTO meta (key, value) VALUES ('sip_realm', 'pbx.example.com')")
    assert sip_realm(db) == "pbx.example.com"
