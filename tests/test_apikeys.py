"""API keys (service.registry.keys): generation, hashing, Authorization header parsing."""
from __future__ import annotations

import hashlib
import re

import pytest

from service.registry.keys import hash_key, new_key, parse_authorization


def test_new_keys_are_prefixed_url_safe_random_and_long():
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert re.fullmatch(r"ctdl_[A-Za-z0-9_-]{43,}", key), key  # 43 base64 chars = 256 bits


def test_hash_is_sha256_hex_of_the_key():
    key = "ctdl_abc"
    assert hash_key(key) == hashlib.sha256(b"ctdl_abc").hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_key(new_key()))
    assert hash_key("ctdl_abc") != hash_key("ctdl_abd")


KEY = "ctdl_Xq3-_9aZ"
UUID = "0b6e6f0e-2a34-4d1c-9a53-5c6f7e8d9a0b"


@pytest.mark.parametrize("header, expected", [
    (f"ApiToken {KEY}", KEY),
    (f"apitoken {KEY}", KEY),
    (f"APITOKEN {UUID}", UUID),
    (f"Bearer {KEY}", KEY),
    (f"bearer {KEY}", KEY),
    (f"BeArEr {KEY}", KEY),
    (f"  Bearer   {KEY}  ", KEY),
    (f"\tApiToken\t{KEY}\r\n", KEY),
    (None, None),
    ("", None),
    ("   ", None),
    ("Bearer", None),
    ("Bearer ", None),
    ("ApiToken    ", None),
    (KEY, None),
    (f"Basic {KEY}", None),
    (f"Token {KEY}", None),
    (f"Bearer: {KEY}", None),
    (f"BearerX {KEY}", None),
    (f"Bearer {KEY} extra", None),
    (f"Bearer {KEY}\x00", None),
    ("Bearer clé", None),
    ("Bearer " + "a" * 513, None),
    (42, None),
])
def test_parse_authorization(header, expected):
    assert parse_authorization(header) == expected
