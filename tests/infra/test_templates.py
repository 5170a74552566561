"""Security properties of infra/*.yaml, asserted on the parsed templates (no AWS, no emulator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from movieagg.deploy import intrinsics
from movieagg.deploy.bundles import read_template
from movieagg.deploy.sizes import size_parameters

INFRA = Path(__file__).resolve().parents[2] / "infra"


def load(name: str) -> dict[str, Any]:
    """The template with CloudFormation's short tags in their long form."""
    return intrinsics.load(read_template(name))


def sized(t: dict[str, Any], size: str, **more: str) -> intrinsics.Evaluation:
    """The template as `movieagg deploy --size SIZE` deploys it."""
    return intrinsics.Evaluation(t, {"Stage": "t", **size_parameters(size, {}), **more}, "us-east-1")


def chosen(ev: intrinsics.Evaluation, logical_id: str) -> dict[str, Any]:
    """A resource's properties with every Fn::If decided for that evaluation."""
    return dict(ev.choose(ev.template["Resources"][logical_id].get("Properties", {})))


@pytest.fixture(scope="module")
def app() -> dict[str, Any]:
    return load("app.yaml")


@pytest.fixture(scope="module")
def boot() -> dict[str, Any]:
    return load("bootstrap.yaml")


def resources(t: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in t["Resources"].items() if v["Type"] == rtype}


def props(t: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return dict(t["Resources"][logical_id].get("Properties", {}))


def refs(value: Any) -> set[str]:
    return {v["Ref"] for v in value if isinstance(v, dict) and "Ref" in v}


PRIVATE = {"PrivateSubnet1", "PrivateSubnet2"}
PUBLIC = {"PublicSubnet1", "PublicSubnet2"}


def test_templates_lint_clean_with_cfn_lint() -> None:
    from movieagg.deploy.templates import lint_templates

    findings = lint_templates()
    assert findings is not None, "cfn-lint is part of the dev extra"
    assert findings == []


def test_templates_ship_as_package_data_paths_exist() -> None:
    text = (INFRA.parent / "pyproject.toml").read_text()
    for name in ("bootstrap.yaml", "app.yaml", "userdata", "nginx"):
        # Beside the deploy tooling that reads them (movieagg.deploy.bundles.infra_file).
        assert f'"infra/{name}" = "movieagg/deploy/_infra/{name}"' in text
        assert (INFRA / name).exists()


def test_subnets_two_azs_private_not_public(app: dict[str, Any]) -> None:
    subnets = resources(app, "AWS::EC2::Subnet")
    assert set(subnets) == PRIVATE | PUBLIC
    for sub in subnets.values():
        assert sub["Properties"]["MapPublicIpOnLaunch"] is False
    azs = {json.dumps(s["Properties"]["AvailabilityZone"]) for s in subnets.values()}
    assert len(azs) == 2
    for size, target in (("full", "NatGatewayId"), ("small", "InstanceId")):
        ev = sized(app, size)
        for name in resources(app, "AWS::EC2::Route"):
            properties = chosen(ev, name)
            if properties["RouteTableId"]["Ref"].startswith("Private"):
                assert set(properties) == {"RouteTableId", "DestinationCidrBlock", target}, (size, name)
    assocs = resources(app, "AWS::EC2::SubnetRouteTableAssociation").values()
    for a in assocs:
        subnet, table = a["Properties"]["SubnetId"]["Ref"], a["Properties"]["RouteTableId"]["Ref"]
        assert subnet.startswith("Private") == table.startswith("Private")
    nats = resources(app, "AWS::EC2::NatGateway")
    assert {n["Properties"]["SubnetId"]["Ref"] for n in nats.values()} == PUBLIC
    cidrs = [props(app, n)["CidrBlock"] for n in sorted(subnets)]
    assert all(set(c) == {"Ref"} for c in cidrs), "explicit CIDR parameters: emulators lack Fn::Cidr"
    assert '"Fn::Cidr":' not in json.dumps(app)


def test_full_has_a_nat_gateway_per_az_small_one_nat_instance(app: dict[str, Any]) -> None:
    full, small = sized(app, "full").resources(), sized(app, "small").resources()
    assert {k for k, v in full.items() if v["Type"] == "AWS::EC2::NatGateway"} == {
        "NatGateway1",
        "NatGateway2",
    }
    assert not [k for k, v in full.items() if v["Type"] == "AWS::EC2::Instance"]
    assert not [k for k, v in small.items() if v["Type"] == "AWS::EC2::NatGateway"]
    nat = chosen(sized(app, "small"), "NatInstance")
    assert nat["SubnetId"] == {"Ref": "PublicSubnet1"} and nat["SourceDestCheck"] is False
    assert props(app, "NatEip")["InstanceId"] == {"Ref": "NatInstance"}
    data = props(app, "NatLaunchTemplate")["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert all(b["Ebs"]["Encrypted"] is True for b in data["BlockDeviceMappings"])
    user_data = json.dumps(nat["UserData"])
    assert "ip_forward" in user_data and "masquerade" in user_data
    for rule in props(app, "NatSecurityGroup")["SecurityGroupIngress"]:
        assert rule["CidrIp"] == {"Ref": "VpcCidr"} and rule["FromPort"] in (80, 443)
    assert props(app, "NatInstanceRecoveryAlarm")["AlarmActions"][0]["Fn::Sub"].endswith(":ec2:recover")


def test_only_the_alb_accepts_internet_traffic_on_80_and_443(app: dict[str, Any]) -> None:
    open_rules: list[tuple[str, int]] = []
    for name, sg in resources(app, "AWS::EC2::SecurityGroup").items():
        for rule in sg["Properties"].get("SecurityGroupIngress", []):
            if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                open_rules.append((name, rule["FromPort"]))
            assert rule.get("Description"), f"{name}: every rule says why"
    for name, rule in resources(app, "AWS::EC2::SecurityGroupIngress").items():
        assert "CidrIp" not in rule["Properties"], name
    assert sorted(open_rules) == [("AlbSecurityGroup", 80), ("AlbSecurityGroup", 443)]
    all_ports = [
        r.get("FromPort")
        for sg in resources(app, "AWS::EC2::SecurityGroup").values()
        for r in sg["Properties"].get("SecurityGroupIngress", [])
    ]
    assert 22 not in all_ports


def test_database_and_cache_reachable_only_from_the_lambda(app: dict[str, Any]) -> None:
    for sg, port in (("DatabaseSecurityGroup", 5432), ("CacheSecurityGroup", 6379)):
        rules = props(app, sg)["SecurityGroupIngress"]
        assert [(r["FromPort"], r["ToPort"], r["SourceSecurityGroupId"]) for r in rules] == [
            (port, port, {"Ref": "LambdaSecurityGroup"})
        ]
    web = resources(app, "AWS::EC2::SecurityGroupIngress")
    assert [w["Properties"]["SourceSecurityGroupId"] for w in web.values()] == [{"Ref": "AlbSecurityGroup"}]


def test_rds_multi_az_encrypted_private_protected(app: dict[str, Any]) -> None:
    db = app["Resources"]["Database"]
    p = db["Properties"]
    assert sized(app, "full").prop(db, "MultiAZ") is True
    assert sized(app, "small").prop(db, "MultiAZ") is False
    assert p["StorageEncrypted"] is True and "KmsKeyId" in p
    assert p["PubliclyAccessible"] is False
    assert p["DeletionProtection"] is True
    assert db["DeletionPolicy"] == "Snapshot" and db["UpdateReplacePolicy"] == "Snapshot"
    assert p["BackupRetentionPeriod"] >= 7
    assert p["MasterUserPassword"]["Fn::Sub"].startswith("{{resolve:ssm-secure:/movieagg/${Stage}/")
    assert refs(props(app, "DatabaseSubnetGroup")["SubnetIds"]) == PRIVATE
    # The default parameter group: PostgreSQL 15+ on RDS forces TLS (rds.force_ssl=1) by default.
    assert int(str(p["EngineVersion"]).split(".")[0]) >= 15 and "DBParameterGroupName" not in p


def test_redis_failover_encrypted_with_auth_token_in_private_subnets(app: dict[str, Any]) -> None:
    assert "Cache" in sized(app, "full").resources() and "Cache" not in sized(app, "small").resources()
    env = props(app, "ApiFunction")["Environment"]["Variables"]
    assert sized(app, "small").value(env["MOVIEAGG_CACHE"]) == "disk"  # the Lambda's /tmp
    assert sized(app, "small").value(env["MOVIEAGG_SSM_REQUIRED"]) == "MOVIEAGG_DATABASE_PASSWORD"
    p = props(app, "Cache")
    assert p["AutomaticFailoverEnabled"] is True and p["MultiAZEnabled"] is True
    assert p["NumCacheClusters"] >= 2
    assert p["AtRestEncryptionEnabled"] is True and p["TransitEncryptionEnabled"] is True
    assert p["AuthToken"]["Fn::Sub"].startswith("{{resolve:ssm-secure:/movieagg/${Stage}/")
    assert refs(props(app, "CacheSubnetGroup")["SubnetIds"]) == PRIVATE


def test_web_tier_imdsv2_no_ssh_private_subnets_ssm(app: dict[str, Any]) -> None:
    data = props(app, "WebLaunchTemplate")["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert "KeyName" not in data and "NetworkInterfaces" not in data
    assert all(b["Ebs"]["Encrypted"] is True for b in data["BlockDeviceMappings"])
    asg = props(app, "WebGroup")
    assert refs(chosen(sized(app, "full"), "WebGroup")["VPCZoneIdentifier"]) == PRIVATE
    assert refs(chosen(sized(app, "small"), "WebGroup")["VPCZoneIdentifier"]) == {"PrivateSubnet1"}
    assert app["Parameters"]["WebMinSize"]["Default"] >= 2  # full: one per AZ (sizes.py refuses fewer)
    assert size_parameters("small", {})["WebMinSize"] == "1"
    assert asg["HealthCheckType"] == "ELB"
    managed = json.dumps(props(app, "WebInstanceRole")["ManagedPolicyArns"])
    assert "AmazonSSMManagedInstanceCore" in managed
    user_data = json.dumps(data["UserData"])
    assert "render_nginx.py" in user_data and "/healthz" in user_data and "cfn-signal" in user_data
    assert props(app, "WebTargetGroup")["HealthCheckPath"] == "/healthz"


def test_alb_https_listener_redirect_and_waf(app: dict[str, Any]) -> None:
    https = app["Resources"]["HttpsListener"]
    assert https["Condition"] == "HasDomain"
    assert https["Properties"]["Protocol"] == "HTTPS" and https["Properties"]["Port"] == 443
    assert https["Properties"]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")
    cert = app["Resources"]["Certificate"]
    assert cert["Condition"] == "HasDomain" and cert["Properties"]["ValidationMethod"] == "DNS"
    with_domain, without = props(app, "HttpListener")["DefaultActions"]["Fn::If"][1:]
    assert with_domain[0]["Type"] == "redirect" and with_domain[0]["RedirectConfig"]["Protocol"] == "HTTPS"
    assert without[0]["Type"] == "forward"
    assert app["Resources"]["DnsRecord"]["Condition"] == "HasDomain"
    lb = props(app, "LoadBalancer")
    assert refs(lb["Subnets"]) == PUBLIC
    attrs = {a["Key"]: a["Value"] for a in lb["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    acl = props(app, "WebAcl")
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert managed == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    }
    assert any("RateBasedStatement" in r["Statement"] for r in acl["Rules"])
    targets = [
        a["Properties"]["ResourceArn"] for a in resources(app, "AWS::WAFv2::WebACLAssociation").values()
    ]
    assert {"Ref": "LoadBalancer"} in targets
    assert any("restapis" in json.dumps(t) for t in targets)


def test_lambda_in_private_subnets_reserved_concurrency_logs(app: dict[str, Any]) -> None:
    fn = props(app, "ApiFunction")
    assert fn["Handler"] == "movieagg.aws.handler.handler"
    assert fn["Runtime"] == "python3.12"
    assert refs(chosen(sized(app, "full"), "ApiFunction")["VpcConfig"]["SubnetIds"]) == PRIVATE
    assert refs(chosen(sized(app, "small"), "ApiFunction")["VpcConfig"]["SubnetIds"]) == {"PrivateSubnet1"}
    assert fn["VpcConfig"]["SecurityGroupIds"] == [{"Ref": "LambdaSecurityGroup"}]
    assert fn["ReservedConcurrentExecutions"] == {"Ref": "LambdaReservedConcurrency"}
    env = fn["Environment"]["Variables"]
    assert env["MOVIEAGG_SSM_PREFIX"] == {"Fn::Sub": "/movieagg/${Stage}/"}
    assert not any(k.endswith(("API_KEY", "PASSWORD", "TOKEN")) for k in env)
    assert sized(app, "full").choose(env["MOVIEAGG_CACHE"])["Fn::Sub"][0].startswith("rediss://")
    assert "sslmode=require" in env["MOVIEAGG_DATABASE_URL"]["Fn::Sub"][0]
    assert props(app, "ApiFunctionLogGroup")["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    stage = props(app, "ApiStage")
    setting = stage["MethodSettings"][0]
    assert setting["ThrottlingRateLimit"] and setting["ThrottlingBurstLimit"]
    assert setting["DataTraceEnabled"] is False
    assert "DestinationArn" in stage["AccessLogSetting"]


def test_nested_getatt_use_the_long_form(app: dict[str, Any]) -> None:
    text = read_template("app.yaml")
    for line in text.splitlines():
        if "!GetAtt" in line:
            target = line.split("!GetAtt", 1)[1].strip()
            assert target.count(".") <= 1 and not target.startswith("["), line


def test_buckets_versioned_encrypted_private_tls_only(boot: dict[str, Any]) -> None:
    for name in ("ArtifactBucket", "LogsBucket"):
        p = props(boot, name)
        assert p["VersioningConfiguration"]["Status"] == "Enabled"
        assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        assert all(p["PublicAccessBlockConfiguration"].values())
    assert (
        props(boot, "ArtifactBucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]["SSEAlgorithm"]
        == "aws:kms"
    )
    for policy in resources(boot, "AWS::S3::BucketPolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        deny = [s for s in statements if s.get("Effect") == "Deny"]
        assert deny and deny[0]["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    # ALB access logs: the service principal (newer regions) and, where AWS documents one, the
    # regional ELB account (regions opened before August 2022), chosen by condition.
    logs = json.dumps(props(boot, "LogsBucketPolicy"))
    assert "logdelivery.elasticloadbalancing.amazonaws.com" in logs and "HasElbAccount" in logs
    assert boot["Mappings"]["ElbLogDelivery"]["us-east-1"]["Account"] == "127311923021"


def test_iam_least_privilege(app: dict[str, Any]) -> None:
    allowed_star = {
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "ec2:DescribeNetworkInterfaces",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    for name, role in resources(app, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for st in policy["PolicyDocument"]["Statement"]:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                assert not any(a == "*" or a.endswith(":*") for a in actions), name
                if st.get("Resource") == "*":
                    assert set(actions) <= allowed_star, (name, actions)
    ssm = json.dumps(props(app, "ApiFunctionRole"))
    assert "parameter/movieagg/${Stage}/*" in ssm
    s3 = json.dumps(props(app, "WebInstanceRole")["Policies"])
    assert "s3:GetObject" in s3 and "s3:PutObject" not in s3


def test_every_checkov_skip_has_a_reason() -> None:
    for name in ("app.yaml", "bootstrap.yaml"):
        t = load(name)
        for logical_id, res in t["Resources"].items():
            for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert skip["id"].startswith("CKV") and len(skip.get("comment", "")) > 20, (name, logical_id)


ALARMS = {
    "ApiErrorRateAlarm": ("AWS/ApiGateway", "5XXError"),
    "LambdaErrorsAlarm": ("AWS/Lambda", "Errors"),
    "LambdaThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    "DatabaseCpuAlarm": ("AWS/RDS", "CPUUtilization"),
    "DatabaseStorageAlarm": ("AWS/RDS", "FreeStorageSpace"),
    "AlbUnhealthyHostsAlarm": ("AWS/ApplicationELB", "UnHealthyHostCount"),
}


def test_alarms_notify_an_encrypted_topic_and_email_is_optional(app: dict[str, Any]) -> None:
    for logical_id, (namespace, metric) in ALARMS.items():
        p = props(app, logical_id)
        assert (p["Namespace"], p["MetricName"]) == (namespace, metric), logical_id
        assert {"Ref": "AlarmTopic"} in p["AlarmActions"], logical_id
    evictions = props(app, "CacheEvictionsAlarm")
    assert app["Resources"]["CacheEvictionsAlarm"]["Condition"] == "IsFull"
    assert {m["MetricStat"]["Metric"]["MetricName"] for m in evictions["Metrics"] if "MetricStat" in m} == {
        "Evictions"
    }
    assert props(app, "ApiErrorRateAlarm")["Statistic"] == "Average"  # the 5xx share of requests
    assert props(app, "AlarmTopic")["KmsMasterKeyId"] == {"Ref": "DataKey"}
    key_policy = json.dumps(props(app, "DataKey")["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in key_policy  # alarms may publish to the encrypted topic
    subscription = app["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and subscription["Properties"]["Protocol"] == "email"
    assert "AlarmEmailSubscription" in sized(app, "small", AlarmEmail="me@example.com").resources()
    assert "AlarmEmailSubscription" not in sized(app, "small").resources()


def test_the_dashboard_is_valid_json_with_every_part(app: dict[str, Any]) -> None:
    body, variables = props(app, "Dashboard")["DashboardBody"]["Fn::Sub"]
    text = body
    for name in (
        "AWS::Region",
        "Stage",
        "ApiFunction",
        "Database",
        "LoadBalancer.LoadBalancerFullName",
        "CacheId",
    ):
        text = text.replace("${" + name + "}", "x")
    widgets = json.loads(text)["widgets"]
    namespaces = {w["properties"]["metrics"][0][0] for w in widgets}
    assert namespaces == {"AWS/ApiGateway", "AWS/Lambda", "AWS/RDS", "AWS/ApplicationELB", "AWS/ElastiCache"}
    assert set(variables) == {"CacheId"}
