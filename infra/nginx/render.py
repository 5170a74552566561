#!/usr/bin/env python3
"""Render infra/nginx/movieagg.conf.template for tests and local use (standard library only).

    python infra/nginx/render.py --listen 127.0.0.1:18080 --root frontend/dist \\
        --upstream http://127.0.0.1:8080 --standalone /tmp/movieagg-nginx
    nginx -p /tmp/movieagg-nginx -c /tmp/movieagg-nginx/nginx.conf -g 'daemon off;'

Without ``--standalone`` it prints the server config (an http-context include for
``conf.d/``) to stdout or ``--out``. With ``--standalone DIR`` it writes ``DIR/nginx.conf``,
a complete configuration whose pid, logs and temp files all live in DIR, so nginx runs as
an ordinary process on a loopback port, not as the system service. Values are validated
(nothing that could break out of an nginx string), and ``localhost`` in the upstream becomes
127.0.0.1 (the template resolves API hosts at request time through the Amazon VPC DNS).

The same placeholders are filled on EC2 by infra/userdata/render_nginx.py; see the top of the
template for the contract. There, movieagg-upstream-tls.conf (copied as is) makes nginx verify
API Gateway's certificate; ``--trusted-ca`` does the same here for a local HTTPS upstream.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "movieagg.conf.template"
NAMES = ("LISTEN_PORT", "SITE_ROOT", "API_UPSTREAM", "API_HOST")
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
_SAFE = re.compile(r"^[A-Za-z0-9._~:/@%+=,\[\]-]+$")  # no spaces, quotes, ';', '{', '$'

# Enough MIME types for a Vite build; a standalone config must not depend on /etc/nginx.
MIME_TYPES = {
    "text/html": "html htm",
    "text/css": "css",
    "text/plain": "txt",
    "application/javascript": "js mjs",
    "application/json": "json map",
    "application/manifest+json": "webmanifest",
    "image/svg+xml": "svg svgz",
    "image/png": "png",
    "image/jpeg": "jpg jpeg",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/x-icon": "ico",
    "font/woff2": "woff2",
    "font/woff": "woff",
}


class RenderError(ValueError):
    """A value that cannot go into the config; the message says which and why."""


def _listen(value: str) -> str:
    if re.fullmatch(r"\d{1,5}", value) and 0 < int(value) < 65536:
        return value
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost):(\d{1,5})", value)
    if m and 0 < int(m.group(2)) < 65536:
        return value.replace("localhost", "127.0.0.1")
    raise RenderError(f"LISTEN_PORT must be a port or address:port, not {value!r}")


def _root(value: str) -> str:
    path = Path(value).resolve()
    if not _SAFE.match(str(path)):
        raise RenderError(f"SITE_ROOT has characters nginx config cannot hold: {value!r}")
    return str(path)


def _upstream(value: str) -> tuple[str, str]:
    """(API_UPSTREAM, API_HOST) from a base URL; no trailing slash, no query."""
    url = urlsplit(value.strip())
    if url.scheme not in ("http", "https") or not url.hostname:
        raise RenderError(f"API_UPSTREAM must be an http(s) URL, not {value!r}")
    if url.query or url.fragment or url.username or url.password:
        raise RenderError("API_UPSTREAM must not carry a query, fragment or credentials")
    host = url.hostname
    if host == "localhost":
        host = "127.0.0.1"
    netloc = f"[{host}]" if ":" in host else host
    if url.port:
        netloc += f":{url.port}"
    base = f"{url.scheme}://{netloc}{url.path.rstrip('/')}"
    if not _SAFE.match(base):
        raise RenderError(f"API_UPSTREAM has characters nginx config cannot hold: {value!r}")
    return base, netloc


def values_for(listen: str, root: str, upstream: str, host: str | None = None) -> dict[str, str]:
    base, netloc = _upstream(upstream)
    api_host = host or netloc
    if not _SAFE.match(api_host):
        raise RenderError(f"API_HOST has characters nginx config cannot hold: {api_host!r}")
    return {
        "LISTEN_PORT": _listen(listen),
        "SITE_ROOT": _root(root),
        "API_UPSTREAM": base,
        "API_HOST": api_host,
    }


def render(values: dict[str, str], template: str | None = None) -> str:
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise RenderError(f"the template uses ${{{m.group(1)}}}, which has no value")
        return values[m.group(1)]

    return PLACEHOLDER.sub(sub, text)


def upstream_tls(ca_file: str) -> str:
    """http-level directives that make nginx verify an HTTPS API against ``ca_file``."""
    path = str(Path(ca_file).resolve())
    if not _SAFE.match(path):
        raise RenderError(f"the CA file path has characters nginx config cannot hold: {ca_file!r}")
    text = (HERE / "movieagg-upstream-tls.conf").read_text(encoding="utf-8")
    return re.sub(r"(?m)^proxy_ssl_trusted_certificate .*;$", f"proxy_ssl_trusted_certificate {path};", text)


def standalone(server: str, prefix: Path, http_extra: str = "") -> str:
    """A complete nginx.conf around the server block; every writable path inside ``prefix``."""
    p = prefix.resolve()
    types = "\n".join(f"        {t} {exts};" for t, exts in MIME_TYPES.items())
    user = "user root root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    indented = "\n".join(("    " + line) if line.strip() else "" for line in server.splitlines())
    extra = "\n".join(("    " + line) if line.strip() else "" for line in http_extra.splitlines())
    return f"""# Generated by infra/nginx/render.py --standalone; do not edit.
{user}worker_processes 1;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 256; }}
http {{
    types {{
{types}
    }}
    default_type application/octet-stream;
    access_log {p}/access.log;
    client_body_temp_path {p}/temp/client;
    proxy_temp_path {p}/temp/proxy;
    fastcgi_temp_path {p}/temp/fastcgi;
    uwsgi_temp_path {p}/temp/uwsgi;
    scgi_temp_path {p}/temp/scgi;
    sendfile on;
    tcp_nopush on;
{extra}
{indented}
}}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    env = os.environ
    parser.add_argument(
        "--listen", default=env.get("LISTEN_PORT", "80"), help="port or address:port (LISTEN_PORT)"
    )
    parser.add_argument(
        "--root", default=env.get("SITE_ROOT", "frontend/dist"), help="front-end build (SITE_ROOT)"
    )
    parser.add_argument(
        "--upstream",
        default=env.get("API_UPSTREAM", "http://127.0.0.1:8080"),
        help="API base URL (API_UPSTREAM)",
    )
    parser.add_argument("--host", default=env.get("API_HOST"), help="Host header for the API (API_HOST)")
    parser.add_argument("--out", type=Path, help="write the server config here instead of stdout")
    parser.add_argument("--standalone", type=Path, metavar="DIR", help="write a complete DIR/nginx.conf")
    parser.add_argument(
        "--trusted-ca",
        metavar="PEM",
        help="with --standalone and an https upstream: verify the API's certificate against this CA "
        "bundle (e.g. /etc/ssl/certs/ca-certificates.crt), as movieagg-upstream-tls.conf does on EC2",
    )
    args = parser.parse_args(argv)
    try:
        values = values_for(args.listen, args.root, args.upstream, args.host)
        server = render(values)
        extra = upstream_tls(args.trusted_ca) if args.trusted_ca else ""
    except (RenderError, OSError) as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 2
    if args.standalone:
        for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
            (args.standalone / "temp" / sub).mkdir(parents=True, exist_ok=True)
        conf = args.standalone / "nginx.conf"
        conf.write_text(standalone(server, args.standalone, extra), encoding="utf-8")
        print(conf)
    elif args.out:
        args.out.write_text(server, encoding="utf-8")
    else:
        sys.stdout.write(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
