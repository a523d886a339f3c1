from __future__ import annotations

from notai.tenancy.keys import KEY_LENGTH, hash_key, looks_like_key, mask_key, mint_key
from notai.tenancy.plans import parse_tier, plan_for


def test_minted_key_has_the_contract_shape_and_only_a_hash_is_kept() -> None:
    minted = mint_key("s" * 40)

    assert len(minted.key) == KEY_LENGTH == 47
    assert minted.key.startswith("aik_v1_")
    assert looks_like_key(minted.key)
    assert minted.key_hash == hash_key("s" * 40, minted.key)
    assert minted.key not in minted.key_hash
    assert minted.key_hash != hash_key("t" * 40, minted.key)


def test_keys_are_unique_and_masks_tell_them_apart() -> None:
    keys = {mint_key("s" * 40).key for _ in range(200)}

    assert len(keys) == 200
    assert len({mask_key(k) for k in keys}) == 200


def test_mask_hides_the_middle() -> None:
    key = "aik_v1_" + "abcd" + "X" * 32 + "wxyz"

    assert mask_key(key) == "aik_v1_abcd••••••••wxyz"


def test_malformed_keys_are_recognised() -> None:
    for value in [
        "",
        "aik_v1_short",
        "aik_v2_" + "a" * 40,
        "aik_v1_" + "a" * 39 + "!",
        "aik_v1_" + "a" * 41,
    ]:
        assert not looks_like_key(value)


def test_plans_follow_the_contract_table() -> None:
    free, pro = plan_for("free"), plan_for("pro")
    assert (free.requests_per_minute, free.max_page_size, free.history_days) == (60, 50, 7)
    assert (pro.requests_per_minute, pro.max_page_size, pro.history_days) == (600, 100, 30)
    assert plan_for("enterprise", 365).history_days == 365
    assert parse_tier(" PRO ") == "pro"
