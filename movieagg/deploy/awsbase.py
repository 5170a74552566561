"""The boto3 session of one deploy run, and the one place AWS errors become deploy errors.

Every AWS call goes through :meth:`AWSBase.call`, which maps botocore's exceptions — API
errors, transport errors, and answers botocore cannot parse (an emulator's HTML error page) —
onto the deploy error tree (:mod:`movieagg.deploy.errors`) with a documented exit code, so no
AWS-side failure ever surfaces as an internal error. Every client has connect/read timeouts and
standard retries. boto3 is imported only when a client is built: `movieagg rate` never pays for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, NoReturn

from movieagg.deploy.errors import CredentialsError, DeployError, RegionError

CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
    }
)
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60


def known_regions() -> frozenset[str]:
    """Regions botocore knows for CloudFormation (shipped data, no network)."""
    import boto3

    return frozenset(boto3.session.Session().get_available_regions("cloudformation"))


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "")) or type(exc).__name__
    return type(exc).__name__


def _unreadable(exc: BaseException) -> str:
    """What can be said safely about an answer botocore could not parse: its page title, no body."""
    text = str(exc)
    title = re.search(r"<title>([^<]{1,80})</title>", text, re.I)
    if title:
        return re.sub(r"[^\w .,:;()/-]", "", title.group(1)).strip()
    return text.split("\n", 1)[0].split(". Further retries", 1)[0][:160]


class AWSBase:
    """A boto3 session for one region (and endpoint), its clients, and the error mapping."""

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        poll_interval: float = 5.0,
        session: Any = None,
    ) -> None:
        """``region``: --region or AWS_REGION/AWS_DEFAULT_REGION as Settings found them; without
        one, the profile's region (boto3 reads the profile)."""
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ProfileNotFound

        try:
            self._session = session or boto3.session.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as exc:
            raise CredentialsError(f"AWS profile not found: {exc.kwargs.get('profile', profile)}") from None
        except BotoCoreError as exc:
            raise CredentialsError(f"cannot load the AWS configuration ({type(exc).__name__})") from None
        self.region: str = region or self._session.region_name or ""
        if not self.region:
            raise RegionError(
                "no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), "
                "or give the AWS profile a region"
            )
        if not REGION_RE.match(self.region):
            raise RegionError(f"not an AWS region name: {self.region!r}")
        self.endpoint_url = endpoint_url or None
        if self.endpoint_url is None and self.region not in known_regions():
            raise RegionError(
                f"unknown AWS region: {self.region!r} (if it is new, upgrade boto3/botocore to a release "
                "that knows it)"
            )
        self._config = Config(
            region_name=self.region,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": 5, "mode": "standard"},
            user_agent_extra="movieagg-deploy",
        )
        self._clients: dict[str, Any] = {}
        self.sleep = sleep
        self.poll_interval = poll_interval

    def client(self, service: str) -> Any:
        if service not in self._clients:
            kwargs: dict[str, Any] = {"config": self._config, "region_name": self.region}
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            self._clients[service] = self._session.client(service, **kwargs)
        return self._clients[service]

    def call(
        self,
        what: str,
        fn: Callable[..., Any],
        /,
        *,
        missing: Callable[[str, str], bool] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run one API call, mapping every AWS error onto the deploy error tree.

        ``missing(code, message)``: an API error that means "not there", answered with None.
        """
        try:
            return fn(**kwargs)
        except Exception as exc:
            answered = getattr(exc, "response", None) is not None
            if missing is not None and answered and missing(error_code(exc), error_message(exc)):
                return None
            self.translate(what, exc)

    def translate(self, what: str, exc: Exception) -> NoReturn:
        from botocore import exceptions as be
        from botocore.parsers import ResponseParserError

        where = self.endpoint_url or f"region {self.region}"
        if isinstance(exc, be.NoCredentialsError | be.PartialCredentialsError):
            raise CredentialsError(
                "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            ) from None
        if isinstance(exc, be.ClientError):
            code = error_code(exc)
            if code in CREDENTIAL_CODES:
                raise CredentialsError(f"AWS rejected the credentials ({what}: {code})") from None
            raise DeployError(f"{what} failed: {code or 'error'}: {error_message(exc)[:300]}") from None
        if isinstance(exc, ResponseParserError):
            raise DeployError(
                f"{what} failed: the answer from {where} could not be read ({_unreadable(exc)}); an "
                "emulator answers so what it does not implement (see its log)"
            ) from None
        if isinstance(exc, be.ReadTimeoutError):
            raise DeployError(f"{what}: no answer from {where} within {READ_TIMEOUT} s") from None
        if isinstance(exc, be.EndpointConnectionError | be.ConnectTimeoutError | be.ProxyConnectionError):
            raise RegionError(f"cannot reach AWS ({what}) at {where}: unknown region or no network") from None
        if isinstance(exc, be.UnknownEndpointError | be.EndpointResolutionError | be.UnknownRegionError):
            raise RegionError(f"no endpoint for {what} in region {self.region}") from None
        if isinstance(exc, be.BotoCoreError):
            raise DeployError(f"{what} failed ({type(exc).__name__})") from None
        raise exc


__all__ = ["CREDENTIAL_CODES", "AWSBase", "error_code", "error_message", "known_regions"]
