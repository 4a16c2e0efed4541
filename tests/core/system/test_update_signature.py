"""Signed updates (image issue: "a signature if configured"): with an update key on the root file
system, only updates signed by its private key are accepted; root checks before writing a slot."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cordboard.core.exceptions import CordboardError
from cordboard.core.system.update import check_signature, signature_path

SHA = hashlib.sha256(b"a root file system").hexdigest()


@pytest.fixture
def signing(tmp_path: Path) -> tuple[Ed25519PrivateKey, Path]:
    private = Ed25519PrivateKey.generate()
    key_path = tmp_path / "update-signing.pub"
    key_path.write_bytes(private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return private, key_path


def test_without_a_key_nothing_is_required(tmp_path: Path) -> None:
    check_signature(SHA, None, tmp_path / "absent.pub")


def test_a_good_signature_raw_or_base64_is_accepted(signing: tuple[Ed25519PrivateKey, Path]) -> None:
    private, key_path = signing
    signature = private.sign(SHA.encode())
    check_signature(SHA, signature, key_path)
    check_signature(SHA, base64.b64encode(signature) + b"\n", key_path)


def test_missing_wrong_or_foreign_signatures_are_refused(signing: tuple[Ed25519PrivateKey, Path]) -> None:
    private, key_path = signing
    with pytest.raises(CordboardError, match="only signed updates"):
        check_signature(SHA, None, key_path)
    other = hashlib.sha256(b"another file").hexdigest()
    with pytest.raises(CordboardError, match="does not match"):
        check_signature(SHA, private.sign(other.encode()), key_path)
    with pytest.raises(CordboardError, match="does not match"):
        check_signature(SHA, Ed25519PrivateKey.generate().sign(SHA.encode()), key_path)
    with pytest.raises(CordboardError, match="neither 64 bytes"):
        check_signature(SHA, b"not a signature", key_path)


def test_the_signature_sits_next_to_its_file(tmp_path: Path) -> None:
    assert signature_path(tmp_path / "ready.ext4.zst") == tmp_path / "ready.ext4.zst.sig"
