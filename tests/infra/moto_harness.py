"""moto in server mode on 127.0.0.1 for the deploy tests, with its gaps adapted here, not in the product.

moto is the emulator; where it lacks what real CloudFormation does, this module teaches the
emulator (in the test process only) instead of bending the templates:

- Change sets diff templates only: resources using a changed parameter are reported as Modify.
- ``Fn::GetAtt`` on a target group (``TargetGroupFullName``, the ALB alarm's dimension) is
  not implemented: added.
- NAT gateways and route tables are never deleted with their stack; CREATE change sets keep the
  empty stack's outputs: both fixed.
- Resource types moto's CloudFormation does not model are silently skipped by moto. The ones
  we know about are listed in :data:`KNOWN_UNMODELLED`; they become recording stubs (so
  ``Fn::GetAtt`` on them resolves to plausible values and the tests can inspect the properties
  they were given). Any *other* unmodelled type is recorded in :data:`UNEXPECTED` and the
  tests fail on it: a new resource type must be looked at, not silently ignored.

moto cannot run Lambda code or API Gateway proxies either; the handler is tested through
``movieagg serve`` and the packaged-zip test instead.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

# Types moto 5 does not model in CloudFormation, each with why it is fine to stub it here.
KNOWN_UNMODELLED: dict[str, str] = {
    "AWS::S3::BucketPolicy": "TLS-only / log-delivery policies: asserted on the parsed template",
    "AWS::EC2::SecurityGroupEgress": "separate egress rules (avoid SG reference cycles): template tests",
    "AWS::ElastiCache::SubnetGroup": "no ElastiCache in moto's CloudFormation",
    "AWS::ElastiCache::ReplicationGroup": "no ElastiCache in moto's CloudFormation",
    "AWS::WAFv2::WebACL": "no WAFv2 in moto's CloudFormation",
    "AWS::WAFv2::WebACLAssociation": "no WAFv2 in moto's CloudFormation",
    "AWS::WAFv2::LoggingConfiguration": "no WAFv2 in moto's CloudFormation",
    "AWS::CertificateManager::Certificate": "ACM certificates are not created via CloudFormation in moto",
    "AWS::ApiGateway::Stage": "moto creates stages only through deployments",
    "AWS::ApiGateway::Account": "region-wide API Gateway setting",
    "AWS::AutoScaling::ScalingPolicy": "target-tracking policy: asserted on the parsed template",
    "AWS::CloudWatch::Alarm": "no CloudWatch alarms in moto's CloudFormation: properties recorded",
    "AWS::SNS::Subscription": "the alarm e-mail subscription: properties recorded",
}


@dataclass
class Recorder:
    stubs: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # type, logical id, props
    unexpected: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stub_types(self) -> set[str]:
        return {t for t, _, _ in self.stubs}

    def props(self, resource_type: str) -> list[dict[str, Any]]:
        return [p for t, _, p in self.stubs if t == resource_type]


RECORDER = Recorder()
_INSTALLED = False


def _delete_nat_gateway(self: Any, account_id: str, region_name: str) -> None:
    """moto's CloudFormation never deletes NAT gateways (nor their ENIs): the VPC then can't go."""
    backend = self.ec2_backend
    backend.delete_nat_gateway(self.id)
    eni = getattr(self, "_eni", None)
    if eni is not None:
        for address in list(backend.addresses):
            if getattr(address, "eni", None) is eni:
                address.eni = None
                address.association_id = None
        backend.enis.pop(eni.id, None)


def _delete_route_table(self: Any, account_id: str, region_name: str) -> None:
    """moto's CloudFormation never deletes route tables: the VPC then can't go."""
    self.ec2_backend.delete_route_table(self.id)


def install() -> None:
    """Patch moto's CloudFormation engine in this process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import moto.cloudformation.parsing as parsing
    from moto.cloudformation.models import Change as MotoChange
    from moto.cloudformation.models import ChangeSet as MotoChangeSet
    from moto.cloudformation.models import CloudFormationBackend
    from moto.core.common_models import CloudFormationModel
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import RouteTable
    from moto.elbv2.models import FakeTargetGroup

    def target_group_attribute(self: Any, name: str) -> Any:
        values = {"TargetGroupFullName": self.arn.split(":")[-1], "TargetGroupName": self.name}
        return values[name]

    FakeTargetGroup.get_cfn_attribute = target_group_attribute  # type: ignore[attr-defined]
    FakeTargetGroup.has_cfn_attr = classmethod(lambda cls, a: a in {"TargetGroupFullName", "TargetGroupName"})  # type: ignore[attr-defined]
    NatGateway.delete = _delete_nat_gateway  # type: ignore[attr-defined]
    RouteTable.delete = _delete_route_table  # type: ignore[attr-defined]

    original_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        # moto keeps the outputs of the empty REVIEW_IN_PROGRESS stack after a CREATE change set.
        original_execute(self, change_set_name, stack_name)
        for stack in self.stacks.values():
            if stack.status.endswith("_COMPLETE"):
                stack._parse_template()
                stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set

    original_diff = MotoChangeSet.diff

    def diff(self: Any) -> list[Any]:
        # moto diffs templates only; CloudFormation also reports the resources whose parameters changed.
        changes = list(original_diff(self))
        if changes or self.change_set_type != "UPDATE":
            return changes
        old = dict(self.stack.parameters or {})
        changed = {k for k, v in (self.parameters or {}).items() if old.get(k) != v}
        for logical_id, res in (self.template_dict.get("Resources") or {}).items():
            text = json.dumps(res, default=str)
            if any(f'{{"Ref": "{k}"}}' in text or f"${{{k}}}" in text for k in changed):
                changes.append(MotoChange("Modify", logical_id, res.get("Type", "")))
        return changes

    MotoChangeSet.diff = diff

    original_apply = MotoChangeSet.apply

    def apply(self: Any) -> None:
        original_apply(self)
        self.stack.parameters = dict(self.parameters or {})

    MotoChangeSet.apply = apply

    class Stub(CloudFormationModel):  # type: ignore[misc]
        def __init__(self, name: str, resource_type: str, props: dict[str, Any], region: str, account: str):
            self.name = name
            self.resource_type = resource_type
            self.props = props
            self.region = region
            self.account = account

        @staticmethod
        def cloudformation_type() -> str:
            return "Test::Moto::Stub"

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @property
        def physical_resource_id(self) -> str:
            if (
                self.resource_type.startswith("AWS::WAFv2::WebACL")
                and "Association" not in self.resource_type
            ):
                return f"{self.name}|stub|REGIONAL"
            if self.resource_type == "AWS::CertificateManager::Certificate":
                return str(getattr(self, "arn", self._arn("acm", f"certificate/{self.name}")))
            if self.resource_type == "AWS::KMS::Key":
                return f"stub-{self.name}"
            return self.name

        def _arn(self, service: str, rest: str) -> str:
            return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        def get_cfn_attribute(self, attr: str) -> Any:
            values = {
                "PrimaryEndPoint.Address": f"{self.name.lower()}.stub.cache.amazonaws.com",
                "PrimaryEndPoint.Port": "6379",
                "Arn": self._arn(self.resource_type.split("::")[1].lower(), self.name),
            }
            return values.get(attr, f"{self.name}-{attr}")

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> Stub:
            resource_type = str(kwargs.get("ResourceType", ""))
            props = dict(cloudformation_json.get("Properties", {}))
            with RECORDER.lock:
                RECORDER.stubs.append((resource_type, str(kwargs.get("LogicalId", "")), props))
            stub = cls(resource_name, resource_type, props, region_name, account_id)
            if resource_type == "AWS::CertificateManager::Certificate":
                # The ALB listener checks that the certificate exists: request it from moto's ACM.
                from moto.acm.models import acm_backends

                stub.arn = acm_backends[account_id][region_name].request_certificate(
                    str(props["DomainName"]), None, [], []
                )
            return stub

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[override]
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> Any:
            original_resource.props = dict(cloudformation_json.get("Properties", {}))
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            return None

        def delete(self, account_id: str, region_name: str) -> None:
            return None

    original_class = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> Any:
        if resource_type in parsing.NULL_MODELS or resource_type.startswith("Custom::"):
            return original_class(resource_type)
        if resource_type in parsing.get_model_map():
            return parsing.get_model_map()[resource_type]
        if resource_type not in KNOWN_UNMODELLED:
            with RECORDER.lock:
                RECORDER.unexpected.add(resource_type)
        return Stub

    parsing.resource_class_from_type = resource_class_from_type
    _INSTALLED = True


class MotoServer:
    """``moto_server`` (the same WSGI app) on a free 127.0.0.1 port, in a thread of this process."""

    def __init__(self) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        install()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def __enter__(self) -> MotoServer:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def reset(self) -> None:
        import urllib.request

        urllib.request.urlopen(
            urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"), timeout=10
        )
        RECORDER.stubs.clear()
        RECORDER.unexpected.clear()
