"""The deploy tooling's errors: each a row of the error table with its own exit code.

AWS errors are mapped onto these where they enter (:mod:`movieagg.deploy.awsclient`), so the
pipeline and the CLI deal in one kind of exception.
"""

from __future__ import annotations

from movieagg.core.errors import MovieAggError

EXIT_USAGE = 2
EXIT_CREDENTIALS = 5
EXIT_REGION = 6
EXIT_DEPLOY_FAILED = 7


class UsageError(MovieAggError):
    """Options that do not go together, or a confirmation refused (exit code 2)."""

    exit_code = EXIT_USAGE
    code = "usage"


class DeployError(MovieAggError):
    """A deployment step failed (exit code 7); the message says which and why."""

    exit_code = EXIT_DEPLOY_FAILED
    code = "deploy_failed"


class CredentialsError(DeployError):
    """No AWS credentials, or AWS rejected them (exit code 5)."""

    exit_code = EXIT_CREDENTIALS
    code = "aws_credentials"


class RegionError(DeployError):
    """No region configured, or a region AWS does not know (exit code 6)."""

    exit_code = EXIT_REGION
    code = "aws_region"


class PackagingError(MovieAggError):
    """Building an artifact failed (exit code 7)."""

    exit_code = EXIT_DEPLOY_FAILED
    code = "packaging_failed"


__all__ = ["CredentialsError", "DeployError", "PackagingError", "RegionError", "UsageError"]
