"""The two sizes of a stage: ``full`` (the architecture as specified) and ``small`` (a personal install).

The template's ``Size`` parameter switches the structure (NAT gateways or a NAT instance,
Multi-AZ, ElastiCache); the presets here set the instance sizes that go with it. A user's
``--parameter`` overrides a preset.
"""

from __future__ import annotations

from collections.abc import Mapping

from movieagg.core.config import REDIS_TOKEN
from movieagg.deploy.errors import UsageError

SIZES = ("full", "small")
DEFAULT_SIZE = "full"
PRESETS: dict[str, dict[str, str]] = {
    "full": {"Size": "full"},
    "small": {
        "Size": "small",
        "WebInstanceType": "t3.nano",
        "WebMinSize": "1",
        "WebMaxSize": "2",
        "NatInstanceType": "t3.nano",
        "DbInstanceClass": "db.t4g.micro",
        "DbAllocatedStorage": "20",
        "LambdaReservedConcurrency": "5",
    },
}
# Secrets a size does not use (small has no ElastiCache, so no Redis AUTH token).
UNUSED_SECRETS: dict[str, frozenset[str]] = {"full": frozenset(), "small": frozenset({REDIS_TOKEN})}


def size_parameters(size: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """The app-stack parameters a size sets, with the user's overrides on top."""
    if size not in PRESETS:
        raise UsageError(f"unknown size {size!r}: choose {' or '.join(SIZES)}")
    params = {**PRESETS[size], **overrides}
    if size == "full" and int(params.get("WebMinSize", "2")) < 2:
        raise UsageError("--size full runs at least two web instances (one per AZ): WebMinSize ≥ 2")
    return params


__all__ = ["DEFAULT_SIZE", "PRESETS", "SIZES", "UNUSED_SECRETS", "size_parameters"]
