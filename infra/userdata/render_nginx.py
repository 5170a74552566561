#!/usr/bin/env python3
"""Render the nginx config on a web instance (run by the launch template's UserData).

Usage: render_nginx.py SOURCE_DIR TARGET_DIR [MAIN_CONF]

SOURCE_DIR is the unpacked nginx bundle that `movieagg deploy` uploads: the files of
``infra/nginx/``. Every ``*.conf.template`` (or ``*.conf.tmpl``) in it is rendered into
TARGET_DIR as ``*.conf`` by replacing ``${NAME}`` placeholders with the values of these
environment variables only (nginx's own ``$variables`` are left alone):

  API_UPSTREAM   https://<api-id>.execute-api.<region>.amazonaws.com/<stage>  (no trailing slash)
  API_HOST       <api-id>.execute-api.<region>.amazonaws.com
  API_BASE_PATH  /<stage>
  SITE_ROOT      directory holding the front-end build (index.html)
  LISTEN_PORT    port nginx listens on (80)

Plain ``*.conf`` files are copied as they are, except ``nginx.conf``: when MAIN_CONF is given
(``/etc/nginx/nginx.conf``), the bundle's ``nginx.conf`` (rendered the same way) replaces it,
or else a minimal main config that only includes TARGET_DIR (the distribution's stock one has
its own default server on port 80, which would clash). If the bundle has no config at all, a minimal
one is written (SPA + /api proxy + /healthz) so that an instance always comes up healthy.
Standard library only: it runs under the instance's system Python.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

NAMES = ("API_UPSTREAM", "API_HOST", "API_BASE_PATH", "SITE_ROOT", "LISTEN_PORT")
PLACEHOLDER = re.compile(r"\$\{(" + "|".join(NAMES) + r")\}")

FALLBACK = """\
server {
    listen ${LISTEN_PORT} default_server;
    server_name _;
    root ${SITE_ROOT};
    server_tokens off;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header X-Frame-Options DENY always;

    location = /healthz {
        access_log off;
        default_type text/plain;
        return 200 "ok\\n";
    }
    # API Gateway's addresses change: resolve at request time (Amazon VPC DNS), not at start.
    resolver 169.254.169.253 valid=60s ipv6=off;
    location /api/ {
        set $movieagg_api "${API_UPSTREAM}";
        proxy_pass $movieagg_api$request_uri;
        proxy_set_header Host ${API_HOST};
        proxy_ssl_server_name on;
        proxy_ssl_name ${API_HOST};
        proxy_connect_timeout 5s;
        proxy_read_timeout 30s;
        proxy_send_timeout 30s;
    }
    location /assets/ {
        expires 1y;
        add_header Cache-Control "public, max-age=31536000, immutable";
        try_files $uri =404;
    }
    location / {
        add_header Cache-Control "no-cache";
        try_files $uri $uri/ /index.html;
    }
}
"""


MAIN = """\
user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log notice;
pid /run/nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format main '$remote_addr - [$time_local] "$request" $status $body_bytes_sent '
                    '"$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time';
    access_log /var/log/nginx/access.log main;
    sendfile on;
    keepalive_timeout 65;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;
    include ${TARGET_DIR}/*.conf;
}
"""


def render(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    main_conf = Path(argv[3]) if len(argv) == 4 else None
    values = {name: os.environ.get(name, "") for name in NAMES}
    missing = [n for n in NAMES if not values[n]]
    if missing:
        print(f"render_nginx: missing environment: {', '.join(missing)}", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    main_text = MAIN.replace("${TARGET_DIR}", str(target))
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if not path.is_file():
            continue
        name = path.name
        if name in ("nginx.conf", "nginx.conf.template", "nginx.conf.tmpl"):
            main_text = render(path.read_text(), values)
            continue
        for suffix in (".conf.template", ".conf.tmpl"):
            if name.endswith(suffix):
                out = target / (name[: -len(suffix)] + ".conf")
                out.write_text(render(path.read_text(), values))
                written += 1
                break
        else:
            if name.endswith(".conf"):
                shutil.copyfile(path, target / name)
                written += 1
    if not written:
        (target / "movieagg.conf").write_text(render(FALLBACK, values))
        written = 1
    if main_conf is not None:
        main_conf.write_text(main_text)
    print(f"render_nginx: wrote {written} file(s) to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
