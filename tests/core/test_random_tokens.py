"""Random tokens for tags, branches, nonces and ids (RFC 3261 19.3, 8.1.1.7): core/random_tokens.py."""

from __future__ import annotations

import os

import pytest

from cordboard.core import random_tokens as tokens
from cordboard.core.random_tokens import BLOCK_SIZE, token_bytes, token_hex


def test_tokens_have_the_asked_length_and_never_repeat() -> None:
    drawn = [token_hex(6) for _ in range(3 * BLOCK_SIZE // 6)]  # three blocks' worth
    assert all(len(tag) == 12 and int(tag, 16) >= 0 for tag in drawn)
    assert len(set(drawn)) == len(drawn)
    assert len(token_bytes(8)) == 8


def test_a_token_larger_than_a_block_is_whole_and_fresh() -> None:
    big = token_bytes(BLOCK_SIZE + 100)
    assert len(big) == BLOCK_SIZE + 100
    assert big != token_bytes(BLOCK_SIZE + 100)


def test_the_block_is_read_once_per_block_not_per_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the module: one getrandom system call per 4 KiB, not one per token."""
    reads: list[int] = []
    real = os.urandom

    def counting(count: int) -> bytes:
        reads.append(count)
        return real(count)

    tokens._BLOCK.forget()
    monkeypatch.setattr(os, "urandom", counting)
    for _ in range(BLOCK_SIZE // 8):
        token_hex(8)
    assert reads == [BLOCK_SIZE]


def test_a_forked_child_does_not_repeat_its_parents_tokens() -> None:
    token_hex(1)  # the parent holds a partly read block
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        os.write(write_end, token_bytes(64))
        os._exit(0)
    os.close(write_end)
    child = os.read(read_end, 64)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert len(child) == 64
    assert child != token_bytes(64)
