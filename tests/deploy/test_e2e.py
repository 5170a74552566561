"""`movieagg deploy / status / destroy` end to end against moto_server on 127.0.0.1.

Real boto3 calls over HTTP to moto's server (started in this process so that
tests/infra/moto_harness.py can adapt moto's CloudFormation gaps). After a deploy, describe
calls check what moto models; the resource types moto does not model are an explicit list,
and a new one fails the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from movieagg.cli import app
from tests.infra.moto_harness import KNOWN_UNMODELLED, RECORDER, MotoServer
from tests.services import pg_url

__all__ = ["pg_url"]  # fixture: a fresh PostgreSQL schema, dropped afterwards

REGION = "us-east-1"
STAGE = "test"
TMDB_SECRET = "tmdb-key-0123456789abcdef"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="module")
def build_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Shared with test_package.py: the real Lambda build (pip + compile) runs once.
    return tmp_path_factory.getbasetemp() / "lambda-build"


@pytest.fixture
def aws(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, build_cache: Path
) -> Iterator[MotoServer]:
    moto_server.reset()
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("MOVIEAGG_BUILD_CACHE", str(build_cache))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    yield moto_server


@pytest.fixture
def site(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>movieagg</title><div id=root></div>")
    (dist / "assets" / "app-1234.js").write_text("console.log('movieagg')")
    return dist


def client(aws: MotoServer, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=aws.url, region_name=REGION)


def deploy(aws: MotoServer, site: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    args = [
        "deploy",
        "--stage",
        STAGE,
        "--region",
        REGION,
        "--endpoint-url",
        aws.url,
        "--frontend",
        str(site),
        "--yes",
        "--no-lint",
        *extra,
    ]
    return CliRunner().invoke(app, args, env=env or {})


def test_deploy_end_to_end_then_no_changes_then_destroy(aws: MotoServer, site: Path) -> None:
    result = deploy(aws, site, env={"TMDB_API_KEY": TMDB_SECRET})
    assert result.exit_code == 0, result.output
    out = result.output
    assert TMDB_SECRET not in out
    assert "Change set: create movieagg-test-bootstrap" in out
    assert "Change set: create movieagg-test-app" in out
    assert "CREATE_COMPLETE" in out  # live stack events
    assert "Lambda zip:" in out and " MB " in out
    assert "plain HTTP" in out  # no --domain: warned

    # ---- resource types moto does not model: only the known ones
    assert RECORDER.unexpected == set(), f"new resource types moto skips: {RECORDER.unexpected}"
    assert RECORDER.stub_types() <= set(KNOWN_UNMODELLED)

    # ---- outputs printed and recorded
    cfn = client(aws, "cloudformation")
    stacks = {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"]}
    assert stacks["movieagg-test-bootstrap"]["StackStatus"] == "CREATE_COMPLETE"
    app_stack = stacks["movieagg-test-app"]
    assert app_stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in app_stack["Outputs"]}
    assert f"Site URL: {outputs['SiteUrl']}" in out
    assert f"API URL: {outputs['ApiUrl']}" in out
    assert f"ALB DNS: {outputs['AlbDnsName']}" in out
    assert outputs["SiteUrl"].startswith("http://") and outputs["ApiUrl"].endswith("/test")
    state = json.loads((Path(os.environ["MOVIEAGG_HOME"]) / "deploy" / "test.json").read_text())
    assert state["site_url"] == outputs["SiteUrl"]
    assert state["api_url"] == outputs["ApiUrl"]
    assert state["alb_dns_name"] == outputs["AlbDnsName"]
    assert TMDB_SECRET not in json.dumps(state)

    # ---- artifacts uploaded under content-addressed keys
    boot = {o["OutputKey"]: o["OutputValue"] for o in stacks["movieagg-test-bootstrap"]["Outputs"]}
    s3 = client(aws, "s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=boot["ArtifactBucketName"])["Contents"]}
    for name in ("lambda", "site", "nginx"):
        assert state["artifacts"][name] in keys
    assert any(k.startswith("templates/app/") for k in keys)
    assert all(len(k.split("/")[-1].split(".")[0]) == 32 for k in keys)  # sha256 prefix
    # (moto's CloudFormation ignores bucket versioning/encryption: asserted on the template.)

    # ---- secrets: SecureStrings, values from env or generated, nothing for unset keys
    ssm = client(aws, "ssm")
    params = {
        p["Name"]: p
        for p in ssm.get_parameters_by_path(Path="/movieagg/test/", WithDecryption=True)["Parameters"]
    }
    assert set(params) == {
        "/movieagg/test/TMDB_API_KEY",
        "/movieagg/test/MOVIEAGG_DATABASE_PASSWORD",
        "/movieagg/test/MOVIEAGG_REDIS_TOKEN",
    }
    assert all(p["Type"] == "SecureString" for p in params.values())
    assert params["/movieagg/test/TMDB_API_KEY"]["Value"] == TMDB_SECRET
    assert len(params["/movieagg/test/MOVIEAGG_DATABASE_PASSWORD"]["Value"]) >= 32
    for p in params.values():
        assert p["Value"] not in out

    # ---- network
    ec2 = client(aws, "ec2")
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.40.0.0/16"]
    assert len(vpcs) == 1
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert len(subnets) == 4
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    assert sorted(s["CidrBlock"] for s in subnets) == [
        "10.40.0.0/20",
        "10.40.16.0/20",
        "10.40.32.0/20",
        "10.40.48.0/20",
    ]
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    by_name = {next(t["Value"] for t in s["Tags"] if t["Key"] == "Name"): s["SubnetId"] for s in subnets}
    private = {by_name["movieagg-test-private-1"], by_name["movieagg-test-private-2"]}
    public = {by_name["movieagg-test-public-1"], by_name["movieagg-test-public-2"]}
    nats = [
        n
        for n in ec2.describe_nat_gateways()["NatGateways"]
        if n["VpcId"] == vpc_id and n["State"] == "available"
    ]
    assert len(nats) == 2 and {n["SubnetId"] for n in nats} == public
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    assert len(igws["InternetGateways"]) == 1
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    # (moto keeps CloudFormation's subnet associations apart from DescribeRouteTables, so the
    # default routes are counted: one to the internet gateway, one per AZ to its NAT gateway.)
    defaults = [r for t in tables for r in t["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert len([r for r in defaults if r.get("GatewayId", "").startswith("igw-")]) == 1
    assert {r.get("NatGatewayId") for r in defaults if r.get("NatGatewayId")} == {
        n["NatGatewayId"] for n in nats
    }

    # ---- security groups: only the ALB is open to the internet, on 80/443
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    by_desc = {g["Description"].split(" - ")[0]: g for g in groups}
    for group in groups:
        for rule in group["IpPermissions"]:
            if any(r.get("CidrIp") == "0.0.0.0/0" for r in rule.get("IpRanges", [])):
                assert group["Description"].startswith("movieagg ALB")
                assert rule["FromPort"] in (80, 443)
    lambda_sg = by_desc["movieagg API Lambda"]["GroupId"]
    for name, port in (("movieagg PostgreSQL", 5432), ("movieagg Redis", 6379)):
        rules = by_desc[name]["IpPermissions"]
        assert [(r["FromPort"], [p["GroupId"] for p in r["UserIdGroupPairs"]]) for r in rules] == [
            (port, [lambda_sg])
        ]
    web_rules = by_desc["movieagg nginx instances"]["IpPermissions"]
    alb_sg = by_desc["movieagg ALB"]["GroupId"]
    assert all(p["GroupId"] == alb_sg for r in web_rules for p in r["UserIdGroupPairs"])
    assert not any(r.get("IpRanges") for r in web_rules)
    assert not any(r["FromPort"] == 22 for g in groups for r in g["IpPermissions"] if "FromPort" in r)

    # ---- web tier: launch template (IMDSv2, no SSH key), ASG over the private subnets
    lt = ec2.describe_launch_template_versions(LaunchTemplateName="movieagg-test-web")[
        "LaunchTemplateVersions"
    ][0]
    data = lt["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in data
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    asg = client(aws, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    assert len(asg) == 1
    assert asg[0]["MinSize"] >= 2 and asg[0]["DesiredCapacity"] >= 2
    assert set(asg[0]["VPCZoneIdentifier"].split(",")) == private
    assert asg[0]["HealthCheckType"] == "ELB"

    # ---- load balancer, listener, target group with /healthz
    elb = client(aws, "elbv2")
    lbs = elb.describe_load_balancers()["LoadBalancers"]
    assert len(lbs) == 1 and lbs[0]["Scheme"] == "internet-facing"
    assert {az["SubnetId"] for az in lbs[0]["AvailabilityZones"]} == public
    assert lbs[0]["DNSName"] == outputs["AlbDnsName"]
    listeners = elb.describe_listeners(LoadBalancerArn=lbs[0]["LoadBalancerArn"])["Listeners"]
    assert [(li["Port"], li["Protocol"]) for li in listeners] == [(80, "HTTP")]  # no domain, no cert
    tgs = elb.describe_target_groups()["TargetGroups"]
    assert tgs[0]["HealthCheckPath"] == "/healthz"
    assert asg[0]["TargetGroupARNs"] == [tgs[0]["TargetGroupArn"]]

    # ---- API Gateway REST API → Lambda in the private subnets
    apigw = client(aws, "apigateway")
    apis = apigw.get_rest_apis()["items"]
    assert [a["name"] for a in apis] == ["movieagg-test"]
    paths = {r["path"] for r in apigw.get_resources(restApiId=apis[0]["id"])["items"]}
    assert {"/api", "/api/{proxy+}"} <= paths
    assert outputs["ApiUrl"].startswith(f"https://{apis[0]['id']}.execute-api.")
    lam = client(aws, "lambda")
    fn = lam.get_function(FunctionName="movieagg-test-api")
    conf = fn["Configuration"]
    assert conf["Handler"] == "movieagg.aws.handler.handler"
    assert conf["Runtime"] == "python3.12"
    assert set(conf["VpcConfig"]["SubnetIds"]) == private
    assert conf["VpcConfig"]["SecurityGroupIds"] == [lambda_sg]
    assert conf["Environment"]["Variables"]["MOVIEAGG_SSM_PREFIX"] == "/movieagg/test/"
    assert "TMDB_API_KEY" not in conf["Environment"]["Variables"]
    assert (
        lam.get_function_concurrency(FunctionName="movieagg-test-api")["ReservedConcurrentExecutions"] == 20
    )

    # ---- data: RDS Multi-AZ, encrypted, private, protected
    rds = client(aws, "rds")
    db = rds.describe_db_instances(DBInstanceIdentifier="movieagg-test")["DBInstances"][0]
    assert db["MultiAZ"] is True
    assert db["StorageEncrypted"] is True
    assert db["PubliclyAccessible"] is False
    # moto's CloudFormation drops DeletionProtection/BackupRetentionPeriod: asserted on the template.
    assert {s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]} == private
    # ElastiCache is not modelled by moto: its properties were recorded by the harness.
    cache = RECORDER.props("AWS::ElastiCache::ReplicationGroup")[0]
    assert cache["TransitEncryptionEnabled"] and cache["AtRestEncryptionEnabled"]
    assert cache["AutomaticFailoverEnabled"] and cache["AuthToken"].startswith("{{resolve:ssm-secure:")

    # ---- IAM roles and log groups
    roles = [
        r["RoleName"]
        for r in client(aws, "iam").list_roles()["Roles"]
        if "movieagg-test-app" in r["RoleName"]
    ]
    assert any("ApiFunctionRole" in r for r in roles) and any("WebInstanceRole" in r for r in roles)
    groups_ = {g["logGroupName"]: g for g in client(aws, "logs").describe_log_groups()["logGroups"]}
    assert groups_["/aws/lambda/movieagg-test-api"]["retentionInDays"] == 365
    assert "/movieagg/test/api-access" in groups_
    assert "aws-waf-logs-movieagg-test" in groups_

    # ---- a second deploy with nothing changed does nothing
    again = deploy(aws, site, env={"TMDB_API_KEY": TMDB_SECRET})
    assert again.exit_code == 0, again.output
    state2 = json.loads((Path(os.environ["MOVIEAGG_HOME"]) / "deploy" / "test.json").read_text())
    # (While other people edit movieagg/ or infra/ in the same working tree, an artifact may really
    # change between the two deploys; the message says which.)
    moved = {
        k: (v, state2["artifacts"][k]) for k, v in state["artifacts"].items() if state2["artifacts"][k] != v
    }
    assert "no changes" in again.output, moved
    assert "Change set:" not in again.output, moved
    assert "unchanged" in again.output  # artifacts and secrets

    # ---- status
    status = CliRunner().invoke(
        app, ["deploy", "status", "--stage", STAGE, "--region", REGION, "--endpoint-url", aws.url, "--json"]
    )
    assert status.exit_code == 0, status.output
    info = json.loads(status.output)
    assert [s["status"] for s in info["stacks"]] == ["CREATE_COMPLETE", "CREATE_COMPLETE"]
    assert info["stacks"][1]["outputs"]["SiteUrl"] == outputs["SiteUrl"]

    # ---- destroy: the app stack goes, the artifact bucket stays unless asked
    base = ["--stage", STAGE, "--region", REGION, "--endpoint-url", aws.url, "--yes"]
    gone = CliRunner().invoke(app, ["deploy", "destroy", *base])
    assert gone.exit_code == 0, gone.output
    assert "destroyed: movieagg-test-app" in gone.output
    names = {s["StackName"] for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"}
    assert names == {"movieagg-test-bootstrap"}
    assert not (Path(os.environ["MOVIEAGG_HOME"]) / "deploy" / "test.json").exists()
    purged = CliRunner().invoke(app, ["destroy", *base, "--purge-artifacts"])
    assert purged.exit_code == 0, purged.output
    assert "is now `movieagg deploy destroy`" in purged.output  # the alias of earlier releases
    names = {s["StackName"] for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"}
    assert names == set()
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert boot["ArtifactBucketName"] not in buckets and boot["LogsBucketName"] not in buckets


def test_dry_run_creates_change_sets_and_executes_nothing(aws: MotoServer, site: Path) -> None:
    result = deploy(aws, site, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Change set: create movieagg-test-bootstrap" in result.output
    assert "Change set: create movieagg-test-app" in result.output
    assert "Add" in result.output and "AWS::RDS::DBInstance" in result.output
    assert "dry run: no changes executed" in result.output
    assert "Estimated monthly cost, size full" in result.output and "NatGateway1" in result.output
    assert "Estimated monthly cost: $" in result.output
    cfn = client(aws, "cloudformation")
    live = [s for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert live == []
    assert client(aws, "ssm").describe_parameters()["Parameters"] == []
    assert client(aws, "rds").describe_db_instances()["DBInstances"] == []


def test_small_size_with_alarm_email(aws: MotoServer, site: Path) -> None:
    result = deploy(aws, site, "--size", "small", "--alarm-email", "ops@example.com")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Estimated monthly cost, size small" in out and "Stack movieagg-test-app (size small)" in out
    ec2 = client(aws, "ec2")
    assert [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"] == []
    subnets = {
        next(t["Value"] for t in s["Tags"] if t["Key"] == "Name"): s["SubnetId"]
        for s in ec2.describe_subnets()["Subnets"]
        if any(t["Key"] == "Name" and t["Value"].startswith("movieagg-test-") for t in s.get("Tags", []))
    }
    instances = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]]
    nat = [i for i in instances if {"Key": "Name", "Value": "movieagg-test-nat"} in i.get("Tags", [])]
    assert len(nat) == 1 and nat[0]["SubnetId"] == subnets["movieagg-test-public-1"]
    assert any(a.get("InstanceId") == nat[0]["InstanceId"] for a in ec2.describe_addresses()["Addresses"])
    # (moto keeps CloudFormation's subnet associations apart from DescribeRouteTables: routes only.)
    defaults = [
        r
        for t in ec2.describe_route_tables()["RouteTables"]
        for r in t["Routes"]
        if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    ]
    assert sorted(bool(r.get("InstanceId")) for r in defaults) == [False, True, True]  # IGW + 2 private
    assert all(r["InstanceId"] == nat[0]["InstanceId"] for r in defaults if r.get("InstanceId"))
    db = client(aws, "rds").describe_db_instances(DBInstanceIdentifier="movieagg-test")["DBInstances"][0]
    assert db["MultiAZ"] is False
    fn = client(aws, "lambda").get_function_configuration(FunctionName="movieagg-test-api")
    assert fn["Environment"]["Variables"]["MOVIEAGG_CACHE"] == "disk"
    assert fn["VpcConfig"]["SubnetIds"] == [subnets["movieagg-test-private-1"]]
    asg = client(aws, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert asg["MinSize"] == 1 and asg["VPCZoneIdentifier"] == subnets["movieagg-test-private-1"]
    assert not [t for t in RECORDER.stub_types() if t.startswith("AWS::ElastiCache")]
    assert [p["Endpoint"] for p in RECORDER.props("AWS::SNS::Subscription")] == ["ops@example.com"]
    alarms = {str(p["AlarmName"]) for p in RECORDER.props("AWS::CloudWatch::Alarm")}
    assert "movieagg-test-nat-recover" in alarms and "movieagg-test-cache-evictions" not in alarms
    assert len(alarms) == 7
    names = {p["Name"] for p in client(aws, "ssm").describe_parameters()["Parameters"]}
    assert "/movieagg/test/MOVIEAGG_REDIS_TOKEN" not in names  # no ElastiCache, no AUTH token
    topics = client(aws, "sns").list_topics()["Topics"]
    assert [t["TopicArn"].split(":")[-1] for t in topics] == ["movieagg-test-alarms"]


def test_domain_adds_certificate_https_redirect_and_alias(aws: MotoServer, site: Path) -> None:
    zone = client(aws, "route53").create_hosted_zone(Name="example.com", CallerReference="t")["HostedZone"]
    zone_id = zone["Id"].split("/")[-1]
    result = deploy(aws, site, "--domain", "movies.example.com", "--hosted-zone-id", zone_id)
    assert result.exit_code == 0, result.output
    assert "Site URL: https://movies.example.com" in result.output
    assert "plain HTTP" not in result.output
    elb = client(aws, "elbv2")
    lb = elb.describe_load_balancers()["LoadBalancers"][0]
    listeners = {
        li["Port"]: li for li in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    cert = RECORDER.props("AWS::CertificateManager::Certificate")[0]
    assert cert["ValidationMethod"] == "DNS" and cert["DomainName"] == "movies.example.com"
    records = client(aws, "route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    alias = [r for r in records if r["Name"].rstrip(".") == "movies.example.com" and r["Type"] == "A"]
    assert alias and alias[0]["AliasTarget"]["DNSName"].rstrip(".") == lb["DNSName"]


def test_code_only_updates_the_function(aws: MotoServer, site: Path) -> None:
    assert deploy(aws, site).exit_code == 0
    result = CliRunner().invoke(
        app,
        ["deploy", "--stage", STAGE, "--region", REGION, "--endpoint-url", aws.url, "--code-only", "--yes"],
    )
    assert result.exit_code == 0, result.output
    assert "code updated" in result.output
    assert "Change set" not in result.output


def test_code_only_before_any_deploy_is_a_configuration_error(aws: MotoServer) -> None:
    result = CliRunner().invoke(
        app, ["deploy", "--stage", STAGE, "--region", REGION, "--endpoint-url", aws.url, "--code-only"]
    )
    assert result.exit_code == 3
    assert "not deployed" in result.output


def test_package_only_writes_artifacts_and_manifest_without_aws(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build_cache: Path
) -> None:
    for key in AWS_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MOVIEAGG_BUILD_CACHE", str(build_cache))
    out = tmp_path / "pkg"
    result = CliRunner().invoke(
        app, ["deploy", "--package-only", str(out), "--frontend", str(site), "--stage", "ci", "--no-lint"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["stacks"]) == {"movieagg-ci-bootstrap", "movieagg-ci-app"}
    for art in manifest["artifacts"].values():
        assert (out / art["key"]).stat().st_size == art["size"]
    params = manifest["stacks"]["movieagg-ci-app"]["parameters"]
    assert params["LambdaCodeKey"] == manifest["artifacts"]["lambda"]["key"]
    assert params["Stage"] == "ci"


def test_no_credentials_is_exit_5(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in AWS_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # An unreachable endpoint: the credential check must fail before any network call.
    result = CliRunner().invoke(
        app, ["deploy", "status", "--region", REGION, "--endpoint-url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 5, result.output
    assert "no AWS credentials" in result.output
    assert "Traceback" not in result.output


def test_rejected_credentials_is_exit_5(aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.config import default_user_config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")
    monkeypatch.setitem(default_user_config, "iam", {"load_aws_managed_policies": False})
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    result = CliRunner().invoke(app, ["deploy", "status", "--region", REGION, "--endpoint-url", aws.url])
    assert result.exit_code == 5, result.output
    assert "rejected the credentials" in result.output


@pytest.mark.parametrize("region", ["xx-nowhere-9", "moon"])
def test_unknown_region_is_exit_6(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["deploy", "status", "--region", region])
    assert result.exit_code == 6, result.output
    assert "region" in result.output


def test_unreachable_endpoint_is_exit_6(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(
        app, ["deploy", "status", "--region", REGION, "--endpoint-url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 6, result.output
    assert "cannot reach AWS" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--domain", "movies.example.com"], "go together"),
        (["--stage", "Prod!"], "invalid stage"),
        (["--dry-run", "--code-only"], "no dry run"),
        (["--size", "huge"], "full or small"),
        (["--alarm-email", "nope"], "not an e-mail address"),
        (["-P", "WebMinSize=1", "--package-only", "out"], "at least two web instances"),
        (["-P", "VpcCidr=10.1.2.3/24", "--package-only", "out"], "not a network address"),
    ],
)
def test_bad_options_are_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["deploy", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_parameter_override_updates_the_stack(aws: MotoServer, site: Path) -> None:
    assert deploy(aws, site).exit_code == 0
    result = deploy(aws, site, "--parameter", "LambdaReservedConcurrency=5")
    assert result.exit_code == 0, result.output
    assert "Change set: update movieagg-test-app" in result.output, result.output
    assert "no changes" in result.output  # the bootstrap stack
    assert "Modify" in result.output and "ApiFunction" in result.output
    # (moto does not apply a parameter change to an existing function; the change set is the check.)
    cfn = client(aws, "cloudformation")
    params = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in cfn.describe_stacks(StackName="movieagg-test-app")["Stacks"][0]["Parameters"]
    }
    assert params["LambdaReservedConcurrency"] == "5"
    again = deploy(aws, site, "--parameter", "LambdaReservedConcurrency=5")
    assert again.exit_code == 0 and "Change set:" not in again.output


def test_unknown_or_managed_parameter_is_exit_2() -> None:
    for bad in ("Nope=1", "LambdaCodeKey=x", "WebMinSize"):
        result = CliRunner().invoke(app, ["deploy", "--parameter", bad])
        assert result.exit_code == 2, result.output


class _Recorder:
    def __init__(self, answer: str | None) -> None:
        self.lines: list[str] = []
        self.asked: list[str] = []
        self.answer = answer

    def step(self, m: str) -> None:
        self.lines.append(m)

    info = warn = step

    def change_set(self, cs: Any) -> None:
        self.lines.append(f"change set {cs.stack_name}")

    def estimate(self, e: Any) -> None:
        self.lines.append(f"estimate {e.total}")

    def event(self, e: Any) -> None:
        self.lines.append(f"{e.status} {e.logical_id}")

    def confirm(self, q: str) -> bool:
        return True

    def ask_secret(self, name: str, description: str) -> str | None:
        self.asked.append(name)
        return self.answer


def test_missing_keys_are_asked_with_a_hidden_prompt_and_never_shown(aws: MotoServer, tmp_path: Path) -> None:
    from movieagg.core.config import Settings
    from movieagg.deploy.deployer import Deployer
    from movieagg.deploy.options import DeployOptions

    report = _Recorder("omdb-typed-secret-42")
    deployer = Deployer(
        DeployOptions(stage=STAGE, region=REGION, endpoint_url=aws.url),
        report,
        home=tmp_path,
        settings=Settings.from_env({"TMDB_API_KEY": TMDB_SECRET}, read_file=False),
        interactive=True,
    )
    deployer.put_secrets(dry_run=False)
    assert report.asked == ["OMDB_API_KEY"]  # TMDB came from the environment; generated ones never asked
    ssm = client(aws, "ssm")
    value = ssm.get_parameter(Name="/movieagg/test/OMDB_API_KEY", WithDecryption=True)["Parameter"]["Value"]
    assert value == "omdb-typed-secret-42"
    text = "\n".join(report.lines)
    assert "omdb-typed-secret-42" not in text and TMDB_SECRET not in text
    assert "/movieagg/test/OMDB_API_KEY: created (entered)" in text

    # A later deploy with a different database password in the environment keeps the stored one
    # once the stack exists (RDS would keep the old password and lock the Lambda out).
    stored = ssm.get_parameter(Name="/movieagg/test/MOVIEAGG_DATABASE_PASSWORD", WithDecryption=True)
    deployer.settings = deployer.settings.with_env(MOVIEAGG_DATABASE_PASSWORD="another-password-000")
    deployer.aws.describe_stack = lambda name: {"StackStatus": "CREATE_COMPLETE"}  # type: ignore[method-assign]
    deployer.put_secrets(dry_run=False)
    again = ssm.get_parameter(Name="/movieagg/test/MOVIEAGG_DATABASE_PASSWORD", WithDecryption=True)
    assert again["Parameter"]["Value"] == stored["Parameter"]["Value"]
    assert any("keeping it" in line for line in report.lines)


def test_aws_endpoint_url_from_the_environment(aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)
    result = CliRunner().invoke(app, ["deploy", "status", "--stage", STAGE, "--region", REGION, "--json"])
    assert result.exit_code == 1, result.output  # reachable, nothing deployed
    info = json.loads(result.output)
    assert [s["status"] for s in info["stacks"]] == ["NOT_DEPLOYED", "NOT_DEPLOYED"]


def test_destroy_without_a_terminal_needs_yes(aws: MotoServer, site: Path) -> None:
    assert deploy(aws, site).exit_code == 0
    result = CliRunner().invoke(
        app, ["destroy", "--stage", STAGE, "--region", REGION, "--endpoint-url", aws.url]
    )
    assert result.exit_code == 2
    assert "--yes" in result.output
    assert "`movieagg destroy` is now `movieagg deploy destroy`" in result.output  # the old name still works
    stacks = client(aws, "cloudformation").describe_stacks()["Stacks"]
    assert {s["StackName"] for s in stacks if s["StackStatus"] == "CREATE_COMPLETE"} == {
        "movieagg-test-bootstrap",
        "movieagg-test-app",
    }


def test_a_stack_left_in_rollback_complete_is_replaced(aws: MotoServer, site: Path) -> None:
    from moto.cloudformation.models import cloudformation_backends

    assert deploy(aws, site).exit_code == 0
    backend = cloudformation_backends["123456789012"][REGION]
    stack = next(s for s in backend.stacks.values() if s.name == "movieagg-test-app")
    stack.status = "ROLLBACK_COMPLETE"  # as after a failed first creation in AWS
    result = deploy(aws, site)
    assert result.exit_code == 0, result.output
    assert "Change set: create movieagg-test-app" in result.output
    live = client(aws, "cloudformation").describe_stacks(StackName="movieagg-test-app")["Stacks"][0]
    assert live["StackStatus"] == "CREATE_COMPLETE" and live["StackId"] != stack.stack_id


LAMBDA_RUN = r"""
import json, sys
import movieagg.aws.handler as h
event = {"resource": "/api/{proxy+}", "path": "/api/rate", "httpMethod": "GET", "headers": {},
         "multiValueHeaders": {}, "queryStringParameters": {"title": "The Matrix"},
         "multiValueQueryStringParameters": None, "pathParameters": {"proxy": "rate"},
         "stageVariables": None, "requestContext": {"requestId": "r-1", "stage": "test", "path": "/test/api/rate",
         "httpMethod": "GET", "identity": {"sourceIp": "127.0.0.1"}}, "body": None, "isBase64Encoded": False}
r = h.handler(event, None)
print("RESULT " + json.dumps({"status": r["statusCode"], "body": json.loads(r["body"])}))
"""


def test_the_deployed_lambda_environment_reads_ssm_and_writes_postgres(
    aws: MotoServer, site: Path, fake: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The function's environment as deployed + the SSM parameters deploy put = a working API.

    Only the private endpoints are swapped for local ones (PostgreSQL here; the cache is memory:
    the local Redis has neither TLS nor the AUTH token ElastiCache has). The API keys reach the
    handler only through Parameter Store, as in Lambda.
    """
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    database = str(request.getfixturevalue("pg_url"))
    keys = {k: fake.env[k] for k in ("TMDB_API_KEY", "OMDB_API_KEY")}
    assert deploy(aws, site, env=keys).exit_code == 0
    fn = client(aws, "lambda").get_function_configuration(FunctionName="movieagg-test-api")
    deployed = fn["Environment"]["Variables"]
    assert deployed["MOVIEAGG_DATABASE_URL"].startswith("postgresql+psycopg://movieagg@")
    assert ":" not in deployed["MOVIEAGG_DATABASE_URL"].split("//", 1)[1].split("@", 1)[0]  # no password
    env = {
        **deployed,
        "MOVIEAGG_DATABASE_URL": database,  # password-less too: filled from SSM (trust auth accepts it)
        "MOVIEAGG_CACHE": "memory",
        "MOVIEAGG_HOME": str(tmp_path / "lambda-home"),
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-test-api",
        "AWS_ENDPOINT_URL": aws.url,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        **{k: v for k, v in fake.env.items() if k not in keys},  # the fake upstream's URLs only
        # The movieagg under test, when it is not the installed one (a worktree on PYTHONPATH).
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
    }
    proc = subprocess.run(
        [sys.executable, "-c", LAMBDA_RUN], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    assert out["status"] == 200, out
    assert {r["source"] for r in out["body"]["ratings"]} >= {"tmdb", "omdb"}  # keys came from SSM
    for secret in keys.values():
        assert secret not in proc.stdout + proc.stderr
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM lookups")).scalar_one()
    finally:
        engine.dispose()
    assert rows >= 1  # the lookup was recorded in PostgreSQL before the handler returned
