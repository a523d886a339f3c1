"""Plans (tiers) and what each allows: the contract's table, as frozen data."""

from __future__ import annotations

from typing import Literal

import msgspec

Tier = Literal["free", "pro", "enterprise"]
TIERS: tuple[Tier, ...] = ("free", "pro", "enterprise")


class Plan(msgspec.Struct, frozen=True):
    tier: Tier
    requests_per_minute: int
    max_page_size: int
    history_days: int


_PLANS: dict[Tier, Plan] = {
    "free": Plan("free", requests_per_minute=60, max_page_size=50, history_days=7),
    "pro": Plan("pro", requests_per_minute=600, max_page_size=100, history_days=30),
    "enterprise": Plan(
        "enterprise", requests_per_minute=6000, max_page_size=100, history_days=2555
    ),
}


def parse_tier(value: str) -> Tier:
    tier = value.strip().lower()
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {value!r}")
    return tier


def plan_for(tier: Tier, history_days: int | None = None) -> Plan:
    """The plan of a tier; `history_days` overrides the window (enterprise is configurable)."""
    plan = _PLANS[tier]
    if history_days is None:
        return plan
    return msgspec.structs.replace(plan, history_days=history_days)
