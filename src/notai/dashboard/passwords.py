"""Password hashing with scrypt (memory-hard, in the standard library).

A stored hash reads `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so the cost can
be raised later and old hashes still verify. N = 2**15 with r = 8 costs 32 MiB and about a
tenth of a second per check: cheap for one sign-in, expensive for a guessing attacker.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
COST_N = 2**15
BLOCK_R = 8
PARALLEL_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_LENGTH = 12
MAX_LENGTH = 1024
"""Long enough for any passphrase; bounded so a huge body cannot cost the server."""


class WeakPassword(ValueError):
    """The password does not meet the length rule; the message says what to do."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password must have at most {MAX_LENGTH} characters.")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, COST_N, BLOCK_R, PARALLEL_P)
    return "$".join((SCHEME, str(COST_N), str(BLOCK_R), str(PARALLEL_P), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches; a malformed stored hash matches nothing."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME or len(password) > MAX_LENGTH:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


@functools.cache
def _decoy() -> str:
    return hash_password(secrets.token_urlsafe(16))


def spend_equal_time(password: str) -> None:
    """Verify against a decoy when no account has the e-mail address: the answer then takes
    as long as for a real account, so timing does not tell which addresses have accounts."""
    verify_password(password, _decoy())


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=HASH_BYTES
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
