"""What deploys besides the Lambda: the front-end bundle, the nginx bundle, the templates.

``infra/`` (CloudFormation templates, the instance's nginx config and its renderer) ships
inside the wheel as ``movieagg/deploy/_infra`` (pyproject's force-include), read with
``importlib.resources``; a source checkout reads ``infra/`` itself.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from movieagg.core.errors import ConfigurationError
from movieagg.deploy.archives import SKIP_DIRS, Artifact, artifact, walk, write_tar_gz

_CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, when running from one


def infra_file(name: str) -> Traversable:
    """A file of ``infra/`` as shipped in the wheel (``movieagg/deploy/_infra``) or in a checkout."""
    shipped = resources.files("movieagg.deploy") / "_infra" / name
    if shipped.is_file() or shipped.is_dir():
        return shipped
    source = _CHECKOUT / "infra" / name
    if source.exists():
        return source
    raise ConfigurationError(f"infra/{name} is missing from this installation of movieagg")


def read_template(name: str) -> str:
    return infra_file(name).read_text(encoding="utf-8")


def template_artifact(name: str, workdir: Path) -> Artifact:
    dest = workdir / name
    dest.write_text(read_template(name), encoding="utf-8")
    stem, _, ext = name.rpartition(".")
    return artifact(dest, f"templates/{stem}", f".{ext}", "text/yaml")


def find_frontend(explicit: Path | None, log: Callable[[str], None], build: bool = True) -> Path:
    """The built front end (a directory with index.html); runs ``npm run build`` when needed.

    ``explicit``: ``--frontend`` or MOVIEAGG_FRONTEND; else ./frontend/dist, else the checkout's.
    """
    if explicit is not None:
        if (explicit / "index.html").is_file():
            return explicit
        raise ConfigurationError(f"no index.html in {explicit}: build the front end first")
    candidates = [Path.cwd() / "frontend", _CHECKOUT / "frontend"]
    for project in candidates:
        if (project / "dist" / "index.html").is_file():
            return project / "dist"
    for project in candidates:
        if build and (project / "package.json").is_file():
            npm = shutil.which("npm")
            if npm is None:
                raise ConfigurationError(f"{project}/dist is missing and npm is not installed to build it")
            for args in ([] if (project / "node_modules").is_dir() else [["ci"]]) + [["run", "build"]]:
                log(f"npm {' '.join(args)} in {project}")
                out = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
                    [npm, *args], cwd=project, capture_output=True, text=True, timeout=900, check=False
                )
                if out.returncode != 0:
                    raise ConfigurationError(f"npm {' '.join(args)} failed in {project}")
            if (project / "dist" / "index.html").is_file():
                return project / "dist"
    raise ConfigurationError("no front-end build found: pass --frontend DIR (a directory with index.html)")


def build_site(site: Path, workdir: Path) -> Artifact:
    files = [(p.relative_to(site).as_posix(), p) for p in walk(site) if p.is_file()]
    dest = workdir / "site.tar.gz"
    write_tar_gz(files, dest)
    return artifact(dest, "site", ".tar.gz", "application/gzip", (f"{len(files)} files from {site}",))


def build_nginx(workdir: Path) -> Artifact:
    """infra/nginx/ (the config, rendered on the instance) + the renderer from infra/userdata/."""
    files: list[tuple[str, Path]] = []
    stage = workdir / "nginx-src"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)

    def add(name: str, node: Traversable) -> None:
        if node.is_dir():
            for child in node.iterdir():
                if child.name not in SKIP_DIRS:
                    add(f"{name}/{child.name}" if name else child.name, child)
        elif node.is_file():
            out = stage / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(node.read_bytes())
            files.append((name, out))

    # No config shipped: the renderer writes a minimal one on the instance.
    with contextlib.suppress(ConfigurationError):
        add("", infra_file("nginx"))
    add("render_nginx.py", infra_file("userdata/render_nginx.py"))
    dest = workdir / "nginx.tar.gz"
    write_tar_gz(files, dest)
    return artifact(dest, "nginx", ".tar.gz", "application/gzip", (f"{len(files)} files",))


__all__ = ["build_nginx", "build_site", "find_frontend", "infra_file", "read_template", "template_artifact"]
