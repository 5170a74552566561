"""A stack's outputs — or, where an endpoint leaves them out, the same values read from its resources.

The pipeline needs the bootstrap stack's bucket and key, and the app stack's URLs, function and
database. CloudFormation gives them as outputs; moto_server (5.x) gives none for a stack created
through a change set, so a missing output is filled from the resource's physical id (the same
value the template's ``Ref``/``GetAtt`` gives). A required output that is still missing is an
error, never a placeholder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from movieagg.deploy.errors import DeployError

if TYPE_CHECKING:
    from movieagg.deploy.awsclient import AWSClient

BOOTSTRAP_OUTPUTS = ("ArtifactBucketName", "ArtifactKeyArn", "LogsBucketName")
APP_OUTPUTS = ("SiteUrl", "ApiUrl", "AlbDnsName", "FunctionName", "DatabaseInstance")


def _partition(region: str) -> tuple[str, str]:
    """(ARN partition, URL suffix) of a region."""
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


def read_outputs(
    aws: AWSClient,
    stack_name: str,
    wanted: tuple[str, ...],
    *,
    account: str,
    stage: str,
    domain: str | None = None,
    required: bool = True,
) -> dict[str, str]:
    """The stack's outputs, with any of ``wanted`` that are missing derived from its resources."""
    outputs = aws.stack_outputs(stack_name)
    missing = [key for key in wanted if not outputs.get(key)]
    if not missing:
        return outputs
    ids = aws.stack_resource_ids(stack_name)
    partition, suffix = _partition(aws.region)
    derived: dict[str, str] = {}
    for output, logical_id in (
        ("ArtifactBucketName", "ArtifactBucket"),
        ("LogsBucketName", "LogsBucket"),
        ("FunctionName", "ApiFunction"),
        ("DatabaseInstance", "Database"),
    ):
        if ids.get(logical_id):
            derived[output] = ids[logical_id]
    key_id = ids.get("ArtifactKey", "")
    if key_id:
        derived["ArtifactKeyArn"] = (
            key_id
            if key_id.startswith("arn:")
            else f"arn:{partition}:kms:{aws.region}:{account}:key/{key_id}"
        )
    if ids.get("Api"):
        derived["ApiUrl"] = f"https://{ids['Api']}.execute-api.{aws.region}.{suffix}/{stage}"
    if ids.get("LoadBalancer") and ("AlbDnsName" in missing or "SiteUrl" in missing):
        derived["AlbDnsName"] = aws.load_balancer_dns(ids["LoadBalancer"]) or ""
    if domain:
        derived["SiteUrl"] = f"https://{domain}"
    elif derived.get("AlbDnsName") or outputs.get("AlbDnsName"):
        derived["SiteUrl"] = f"http://{derived.get('AlbDnsName') or outputs['AlbDnsName']}"
    for key in missing:
        if derived.get(key):
            outputs[key] = derived[key]
    still = [key for key in wanted if not outputs.get(key)]
    if still and required:
        raise DeployError(
            f"stack {stack_name} gives no {', '.join(still)}: its template or the endpoint is at fault"
        )
    return outputs


__all__ = ["APP_OUTPUTS", "BOOTSTRAP_OUTPUTS", "read_outputs"]
