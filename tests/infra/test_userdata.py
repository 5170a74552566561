"""The instance bootstrap's nginx rendering (infra/userdata/render_nginx.py) passes `nginx -t`.

The bundle `movieagg deploy` uploads (infra/nginx/ + the renderer) is rendered exactly as the
UserData does, then checked by a real nginx (Debian's package). Only what differs between
Amazon Linux 2023 and this machine is adapted for the check: the `nginx` user, the pid/log
paths and the CA bundle path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from movieagg.deploy.bundles import build_nginx

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(
    NGINX is None and not os.environ.get("CI"), reason="nginx is not installed (CI installs it)"
)
API = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"


def render(bundle: Path, tmp: Path) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    conf_d, main = tmp / "conf.d", tmp / "nginx.conf"
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<html></html>")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "API_UPSTREAM": API,
        "API_HOST": "abc123.execute-api.eu-west-1.amazonaws.com",
        "API_BASE_PATH": "/prod",
        "SITE_ROOT": str(site),
        "LISTEN_PORT": "127.0.0.1:18099",
    }
    proc = subprocess.run(
        [sys.executable, str(bundle / "render_nginx.py"), str(bundle), str(conf_d), str(main)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    return conf_d, main, proc


def nginx_t(main: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    assert NGINX is not None, "nginx is required in CI"
    text = main.read_text().replace("user nginx;", "")
    text = text.replace("/run/nginx.pid", str(tmp / "nginx.pid")).replace("/var/log/nginx", str(tmp))
    main.write_text(text)
    for conf in (tmp / "conf.d").glob("*.conf"):
        conf.write_text(
            conf.read_text().replace("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt")
        )
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def unpack(tmp: Path) -> Path:
    art = build_nginx(tmp / "build")
    bundle = tmp / "bundle"
    bundle.mkdir()
    with tarfile.open(art.path) as tar:
        tar.extractall(bundle, filter="data")
    return bundle


@needs_nginx
def test_shipped_nginx_bundle_renders_and_passes_nginx_t(tmp_path: Path) -> None:
    bundle = unpack(tmp_path)
    assert (bundle / "movieagg.conf.template").is_file()
    conf_d, main, proc = render(bundle, tmp_path)
    assert proc.returncode == 0, proc.stderr
    rendered = (conf_d / "movieagg.conf").read_text()
    for name in ("API_UPSTREAM", "API_HOST", "SITE_ROOT", "LISTEN_PORT"):
        assert "${" + name + "}" not in rendered
    assert API in rendered and "/healthz" in rendered
    assert (conf_d / "movieagg-upstream-tls.conf").is_file()
    assert f"include {conf_d}/*.conf;" in main.read_text()
    check = nginx_t(main, tmp_path)
    assert check.returncode == 0, check.stderr


@needs_nginx
def test_without_a_shipped_config_a_minimal_one_still_passes(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "infra" / "userdata" / "render_nginx.py", bundle)
    conf_d, main, proc = render(bundle, tmp_path)
    assert proc.returncode == 0, proc.stderr
    rendered = (conf_d / "movieagg.conf").read_text()
    assert f'set $movieagg_api "{API}";' in rendered and "location = /healthz" in rendered
    check = nginx_t(main, tmp_path)
    assert check.returncode == 0, check.stderr


def test_missing_values_fail_clearly(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "infra" / "userdata" / "render_nginx.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert "missing environment: API_UPSTREAM" in proc.stderr
