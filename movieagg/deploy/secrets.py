"""The secrets a stage keeps in SSM Parameter Store, as SecureStrings under ``/movieagg/<stage>/``.

API keys come from the environment or a hidden prompt; the database password and the Redis
token are generated once and kept (RDS and ElastiCache would keep the old value if only the
parameter changed). Values never appear in a report line or an error; names do.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from movieagg.core.config import DATABASE_PASSWORD, REDIS_TOKEN

if TYPE_CHECKING:
    from movieagg.core.config import Settings
    from movieagg.deploy.awsclient import AWSClient
    from movieagg.deploy.options import Reporter

# name → (description, required, generated)
SECRETS: dict[str, tuple[str, bool, bool]] = {
    "TMDB_API_KEY": ("TMDB API key (https://www.themoviedb.org/settings/api)", False, False),
    "OMDB_API_KEY": ("OMDb API key (https://www.omdbapi.com/apikey.aspx)", False, False),
    DATABASE_PASSWORD: ("RDS PostgreSQL master password", True, True),
    REDIS_TOKEN: ("ElastiCache Redis AUTH token", True, True),
}
# Changing these in SSM alone would lock the Lambda out: RDS/ElastiCache keep the old value.
FIXED_AFTER_CREATE = frozenset({DATABASE_PASSWORD, REDIS_TOKEN})


def ssm_prefix(stage: str) -> str:
    return f"/movieagg/{stage}/"


def put_secrets(
    aws: AWSClient,
    report: Reporter,
    settings: Settings,
    *,
    stage: str,
    app_exists: bool,
    ask: bool,
    dry_run: bool,
    unused: frozenset[str] = frozenset(),
) -> None:
    """Create or update each secret of ``stage`` as the environment (``settings``) says.

    ``ask``: prompt for a missing API key (an interactive run without --yes); ``unused``: the
    secrets this size does not use (not created; an existing one is kept).
    """
    prefix = ssm_prefix(stage)
    for name, (description, _required, generated) in SECRETS.items():
        if name in unused:
            continue
        path = prefix + name
        current = aws.get_secure_parameter(path)
        wanted = settings.get(name)
        if wanted is None and current is None and not generated and ask:
            wanted = report.ask_secret(name, description)
        if wanted is not None and current is not None and wanted == current:
            report.info(f"{path}: unchanged")
            continue
        if wanted is not None and current is not None and name in FIXED_AFTER_CREATE and app_exists:
            report.warn(
                f"{path} already set: keeping it ({name} in the environment differs; rotating it "
                "needs the database/cache updated too, which deploy does not do)"
            )
            continue
        if wanted is None and current is not None:
            report.info(f"{path}: kept")
            continue
        if wanted is None and generated:
            wanted = secrets.token_urlsafe(32)
            note = "generated"
        elif wanted is None:
            report.warn(f"{path}: not set ({name} not in the environment): that source stays off")
            continue
        else:
            note = "from the environment" if settings.get(name) else "entered"
        if dry_run:
            report.info(f"{path}: would be {'updated' if current else 'created'} ({note})")
            continue
        aws.put_secure_parameter(path, wanted, f"movieagg {stage}: {description}")
        report.info(f"{path}: {'updated' if current else 'created'} ({note})")


__all__ = ["FIXED_AFTER_CREATE", "SECRETS", "put_secrets", "ssm_prefix"]
