"""infra/nginx: the template renders, `nginx -t` accepts it, and a real nginx behaves.

A stub upstream (stdlib HTTP server) stands in for the API so the proxy's behaviour — path
and query passed intact, Host header, errors in the API's JSON shape — is checked exactly.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.frontend.conftest import (
    NGINX_DIR,
    ROOT,
    Nginx,
    free_port,
    load_render,
    nginx_binary,
    nginx_config,
    nginx_test,
    start_nginx,
)

render = load_render()
TEMPLATE = NGINX_DIR / "movieagg.conf.template"
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "cross-origin-opener-policy",
)


# ---------------------------------------------------------------------------- rendering


def test_values_are_validated_and_normalised() -> None:
    values = render.values_for("127.0.0.1:18080", "frontend/dist", "http://localhost:8080/")
    assert values["API_UPSTREAM"] == "http://127.0.0.1:8080"  # no trailing slash, no DNS lookup
    assert values["API_HOST"] == "127.0.0.1:8080"
    assert values["SITE_ROOT"] == str((Path("frontend/dist")).resolve())
    cloud = render.values_for("80", "/srv/site", "https://abc123.execute-api.eu-west-1.amazonaws.com/prod")
    assert cloud["API_UPSTREAM"] == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    assert cloud["API_HOST"] == "abc123.execute-api.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("listen", "root", "upstream"),
    [
        ("80; evil", "/srv", "http://127.0.0.1:8080"),
        ("99999", "/srv", "http://127.0.0.1:8080"),
        ("80", "/srv/a b", "http://127.0.0.1:8080"),
        ("80", "/srv/x;", "http://127.0.0.1:8080"),
        ("80", "/srv", "ftp://127.0.0.1"),
        ("80", "/srv", "http://127.0.0.1:8080/x?y=1"),
        ("80", "/srv", "http://user:pw@127.0.0.1:8080"),
        ("80", "/srv", 'http://127.0.0.1:8080/"; }'),
    ],
)
def test_unsafe_values_are_refused(listen: str, root: str, upstream: str) -> None:
    with pytest.raises(render.RenderError):
        render.values_for(listen, root, upstream)


def test_every_placeholder_is_documented_and_filled() -> None:
    text = TEMPLATE.read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)\}", text))
    assert used == {"LISTEN_PORT", "SITE_ROOT", "API_UPSTREAM", "API_HOST"}
    header = text.split("server {")[0]
    for name in used:
        assert re.search(rf"^#\s+{name}\s", header, re.M), f"{name} is not documented at the top"
    rendered = render.render(render.values_for("80", "/srv/site", "https://api.example.com/prod"))
    assert "${" not in rendered


def test_security_headers_are_identical_in_every_location() -> None:
    """nginx drops inherited add_header in a location with its own: each repeats the set."""
    text = TEMPLATE.read_text()
    pattern = r"((?:\s*add_header (?:Content-Security|X-Content|Referrer|X-Frame|Permissions|Cross-Origin)[^\n]+\n)+)"
    blocks = [b for b in re.findall(pattern, text) if "Content-Security-Policy" in b]
    normalised = {tuple(line.strip() for line in b.strip().splitlines()) for b in blocks}
    assert len(blocks) == 4  # server, /api/, /assets/, /
    assert len(normalised) == 1, normalised
    csp = next(line for line in normalised.pop() if "Content-Security-Policy" in line)
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_render_cli_writes_a_config_nginx_accepts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>")
    prefix = tmp_path / "nginx"
    proc = subprocess.run(
        [sys.executable, str(NGINX_DIR / "render.py"), "--listen", "127.0.0.1:18081", "--root", str(site),
         "--upstream", "https://abc123.execute-api.eu-west-1.amazonaws.com/prod", "--standalone", str(prefix)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    checked = nginx_test(prefix / "nginx.conf")
    assert checked.returncode == 0, checked.stderr
    bad = subprocess.run(
        [sys.executable, str(NGINX_DIR / "render.py"), "--upstream", "ftp://x"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("render: API_UPSTREAM must be an http(s) URL")
    assert "Traceback" not in bad.stderr


def test_the_deploy_scripts_rendering_passes_nginx_t(tmp_path: Path) -> None:
    """infra/userdata/render_nginx.py (the EC2 UserData) renders the same template validly."""
    script = ROOT / "infra" / "userdata" / "render_nginx.py"
    if not script.exists():
        pytest.skip("infra/userdata/render_nginx.py is not in this tree")
    nginx_binary()
    target = tmp_path / "conf.d"
    env = {
        **os.environ,
        "API_UPSTREAM": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
        "API_HOST": "abc123.execute-api.eu-west-1.amazonaws.com",
        "API_BASE_PATH": "/prod",
        "SITE_ROOT": str(tmp_path),
        "LISTEN_PORT": str(free_port()),
    }
    proc = subprocess.run(
        [sys.executable, str(script), str(NGINX_DIR), str(target)],
        capture_output=True, text=True, timeout=30, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    server = (target / "movieagg.conf").read_text()
    assert "${" not in server
    tls = (target / "movieagg-upstream-tls.conf").read_text()  # copied as is
    assert "proxy_ssl_verify on;" in tls
    assert "proxy_ssl_trusted_certificate /etc/pki/tls/certs/ca-bundle.crt;" in tls  # Amazon Linux 2023
    ca = tmp_path / "ca.pem"  # this machine is not Amazon Linux: point at a CA file that exists here
    ca.write_bytes(make_certs(tmp_path / "certs", "api.movieagg.test")[0].read_bytes())
    prefix = tmp_path / "prefix"
    (prefix / "temp").mkdir(parents=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render.standalone(server, prefix, render.upstream_tls(str(ca))))
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr


# ---------------------------------------------------------------------------- a live nginx


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), StubAPI)
        self.seen: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class StubAPI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Upstream

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append({"path": self.path, "headers": dict(self.headers)})
        if self.path.startswith("/api/fail"):
            status, body = 503, {"error": {"code": "upstream_unavailable", "message": "every source failed"}}
        else:
            status, body = 200, {"path": self.path, "pad": "x" * 2000}
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def nginx(site: Path, upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    yield from start_nginx(tmp_path_factory.mktemp("nginx"), site, upstream.url)


def get(
    base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def assert_security_headers(headers: dict[str, str]) -> None:
    for name in SECURITY_HEADERS:
        assert name in headers, f"{name} missing"
    assert headers["x-content-type-options"] == "nosniff"
    assert "unsafe-inline" not in headers["content-security-policy"]


def test_healthz(nginx: Nginx) -> None:
    status, headers, body = get(nginx.url, "/healthz")
    assert (status, body) == (200, b"ok\n")
    assert headers["content-type"].startswith("text/plain")


def test_index_is_never_cached_and_carries_security_headers(nginx: Nginx) -> None:
    status, headers, body = get(nginx.url, "/")
    assert status == 200
    assert b'<div id="root">' in body
    assert headers["cache-control"] == "no-cache"
    assert_security_headers(headers)
    assert "server" not in headers or headers["server"] == "nginx"  # no version


@pytest.mark.parametrize("path", ["/movie/tt1160419", "/?title=Dune&year=2021", "/some/deep/link"])
def test_spa_fallback_serves_the_app(nginx: Nginx, path: str) -> None:
    status, headers, body = get(nginx.url, path)
    assert status == 200
    assert b'<div id="root">' in body
    assert headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year_and_gzipped(nginx: Nginx, site: Path) -> None:
    js = next((site / "assets").glob("*.js")).name
    status, headers, body = get(nginx.url, f"/assets/{js}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("application/javascript")
    assert headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert gzip.decompress(body) == (site / "assets" / js).read_bytes()
    assert_security_headers(headers)


def test_a_missing_asset_is_a_404_not_the_app(nginx: Nginx) -> None:
    status, _, body = get(nginx.url, "/assets/index-00000000.js")
    assert status == 404
    assert b'<div id="root">' not in body


def test_api_is_proxied_with_path_query_and_host_intact(nginx: Nginx, upstream: Upstream) -> None:
    status, headers, body = get(nginx.url, "/api/rate?title=Am%C3%A9lie&year=2001&sources=tmdb,omdb")
    assert status == 200
    assert json.loads(body)["path"] == "/api/rate?title=Am%C3%A9lie&year=2001&sources=tmdb,omdb"
    seen = upstream.seen[-1]
    assert seen["headers"]["Host"] == upstream.url.removeprefix("http://")
    assert re.fullmatch(r"[0-9a-f]{32}", seen["headers"]["X-Request-Id"])
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert_security_headers(headers)


def test_api_json_is_gzipped(nginx: Nginx) -> None:
    status, headers, body = get(nginx.url, "/api/search?q=Dune", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["path"] == "/api/search?q=Dune"


def test_the_apis_own_errors_pass_through(nginx: Nginx) -> None:
    status, _, body = get(nginx.url, "/api/fail")
    assert status == 503
    assert json.loads(body)["error"]["code"] == "upstream_unavailable"


def test_only_reads_reach_the_api(nginx: Nginx) -> None:
    status, _, _ = get(nginx.url, "/api/rate?title=x", method="POST")
    assert status == 403


def test_bursts_beyond_the_limit_get_429_in_the_api_shape(nginx: Nginx) -> None:
    statuses = []
    last_429 = b""
    for _ in range(80):
        status, _, body = get(nginx.url, "/api/search?q=burst")
        statuses.append(status)
        if status == 429:
            last_429 = body
    assert statuses[:30].count(200) == 30  # a burst of typing is served at once (40 allowed)
    assert 429 in statuses
    assert json.loads(last_429)["error"]["code"] == "rate_limited"


def test_api_down_answers_502_in_the_api_shape(site: Path, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for server in start_nginx(tmp_path, site, dead):
        status, headers, body = get(server.url, "/api/rate?title=Dune")
        assert status == 502
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "api_unavailable"
        status, _, _ = get(server.url, "/healthz")  # the instance itself stays healthy
        assert status == 200


def test_listen_port_is_configurable(site: Path, tmp_path: Path) -> None:
    port = free_port()
    conf = nginx_config(tmp_path, site, "http://127.0.0.1:9", port)
    assert f"listen 127.0.0.1:{port} default_server;" in conf.read_text()
    assert nginx_test(conf).returncode == 0


# ---------------------------------------------------------------------------- HTTPS upstream


def make_certs(directory: Path, hostname: str) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for ``hostname`` signed by it (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "movieagg test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(pem))
    cert_path.write_bytes(cert.public_bytes(pem))
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


@pytest.fixture(scope="module")
def https_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Upstream, Path, list[str]]]:
    """A stub API over TLS for api.movieagg.test on 127.0.0.1, like API Gateway behind its name."""
    ca, cert, key = make_certs(tmp_path_factory.mktemp("certs"), "api.movieagg.test")
    sni: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: sni.append(name or "")  # type: ignore[assignment,misc,return-value]
    server = Upstream()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, ca, sni
    server.shutdown()
    server.server_close()


def test_https_api_is_verified_with_sni_and_host_and_the_stage_path(
    site: Path, https_upstream: tuple[Upstream, Path, list[str]], tmp_path: Path
) -> None:
    """As on EC2: https://<api-host>/<stage>, the certificate checked against the CA bundle."""
    server, ca, sni = https_upstream
    base = f"https://127.0.0.1:{server.server_address[1]}/prod"
    extra = render.upstream_tls(str(ca))
    for nginx in start_nginx(tmp_path, site, base, "api.movieagg.test", extra):
        status, _, body = get(nginx.url, "/api/rate?title=Up&year=2009")
        assert status == 200, nginx.error_log()[-800:]
        assert json.loads(body)["path"] == "/prod/api/rate?title=Up&year=2009"
        assert server.seen[-1]["headers"]["Host"] == "api.movieagg.test"
        assert sni[-1] == "api.movieagg.test"


def test_https_api_with_a_certificate_for_another_name_is_refused(
    site: Path, https_upstream: tuple[Upstream, Path, list[str]], tmp_path: Path
) -> None:
    server, ca, _ = https_upstream
    base = f"https://127.0.0.1:{server.server_address[1]}/prod"
    before = len(server.seen)
    for nginx in start_nginx(tmp_path, site, base, "impostor.movieagg.test", render.upstream_tls(str(ca))):
        status, _, body = get(nginx.url, "/api/rate?title=Up")
        assert status == 502
        assert json.loads(body)["error"]["code"] == "api_unavailable"
        assert "certificate" in nginx.error_log()
    assert len(server.seen) == before  # no request reached an unverified host
