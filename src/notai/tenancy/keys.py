"""API keys: minting, the keyed hash that is all we store, and the masked form people see.

A key is `aik_v1_` and 40 base64url characters (30 random bytes), 47 characters in all.
Only HMAC-SHA256(server secret, key) is stored: a leaked table cannot be replayed as keys,
and looking a key up is one indexed equality match.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

import msgspec

KEY_PREFIX = "aik_v1_"
KEY_LENGTH = 47
_KEY_SHAPE = re.compile(r"^aik_v1_[A-Za-z0-9_-]{40}$")
_MASK_FILL = "•" * 8


class MintedKey(msgspec.Struct, frozen=True):
    id: str
    key: str
    key_hash: str
    masked: str


def mint_key(secret: str) -> MintedKey:
    body = base64.urlsafe_b64encode(secrets.token_bytes(30)).decode("ascii")
    key = KEY_PREFIX + body
    return MintedKey(
        id=secrets.token_hex(6), key=key, key_hash=hash_key(secret, key), masked=mask_key(key)
    )


def looks_like_key(value: str) -> bool:
    return bool(_KEY_SHAPE.match(value))


def hash_key(secret: str, key: str) -> str:
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def mask_key(key: str) -> str:
    """`aik_v1_AbCd••••••••wXyZ`: enough to tell keys apart, useless to an attacker."""
    return f"{key[: len(KEY_PREFIX) + 4]}{_MASK_FILL}{key[-4:]}"
