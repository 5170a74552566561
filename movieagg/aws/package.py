"""Build the deployment artifacts: the Lambda zip, the front-end bundle and the nginx bundle.

Every archive is reproducible (sorted entries, fixed timestamps and modes), so its SHA-256 is a
content address: an unchanged build gets the same S3 key, CloudFormation sees no change and a
second `movieagg deploy` does nothing.

The Lambda zip holds manylinux wheels for the Lambda runtime (Python 3.12, x86_64) installed
with ``pip install --platform … --only-binary=:all: --no-compile --target``, plus the movieagg
package itself, then byte-compiled by a local Python 3.12 with ``--invalidation-mode
unchecked-hash`` (deterministic, and the runtime never re-checks sources) so cold starts do not
compile. Without a local Python 3.12 the zip ships sources only and the build says so.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from movieagg.core.errors import ConfigurationError, MovieAggError

LAMBDA_PYTHON = "3.12"
LAMBDA_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
# The CLI's own dependencies never run in Lambda; boto3/botocore come with the Lambda runtime
# (movieagg.aws.params imports boto3 only to read Parameter Store).
LAMBDA_EXCLUDE = frozenset({"typer", "rich", "boto3", "botocore"})
LAMBDA_EXTRAS = ("redis", "postgres")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = frozenset({"__pycache__", "_infra", ".mypy_cache"})
PIP_TIMEOUT = 900


class PackagingError(MovieAggError):
    """Building an artifact failed (exit code 7)."""

    exit_code = 7
    code = "packaging_failed"


@dataclass(frozen=True)
class Artifact:
    path: Path
    key: str  # content-addressed S3 key
    sha256: str
    size: int
    content_type: str = "application/octet-stream"
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------- package data
def infra_file(name: str) -> Traversable:
    """A file of ``infra/`` as shipped in the wheel (``movieagg/_infra``) or in a source checkout."""
    shipped = resources.files("movieagg") / "_infra" / name
    if shipped.is_file() or shipped.is_dir():
        return shipped
    source = Path(__file__).resolve().parents[2] / "infra" / name
    if source.exists():
        return source
    raise ConfigurationError(f"infra/{name} is missing from this installation of movieagg")


def read_template(name: str) -> str:
    return infra_file(name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------- deterministic archives
def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS or d == "__pycache__")
        out.extend(Path(dirpath) / f for f in sorted(filenames))
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def write_zip(root: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in _walk(root):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=_ZIP_DATE)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=6)


def write_tar_gz(files: Iterable[tuple[str, Path]], dest: Path) -> None:
    """A tar.gz of (archive name, file) pairs with fixed owner, mode and time."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in sorted(files):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o755 if name.endswith(".py") else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    with dest.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buf.getvalue())


def _artifact(
    path: Path, prefix: str, suffix: str, content_type: str, notes: tuple[str, ...] = ()
) -> Artifact:
    digest = _digest(path)
    return Artifact(path, f"{prefix}/{digest[:32]}{suffix}", digest, path.stat().st_size, content_type, notes)


# ---------------------------------------------------------------------- Lambda
def lambda_requirements() -> list[str]:
    """movieagg's runtime requirements for Lambda: base + redis/postgres extras, minus CLI-only."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        raw = requires("movieagg") or []
    except PackageNotFoundError:
        raise PackagingError("movieagg is not installed: cannot read its dependencies") from None
    out: list[str] = []
    for item in raw:
        spec, _, marker = item.partition(";")
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if extra and extra.group(1) not in LAMBDA_EXTRAS:
            continue
        if marker.strip() and not extra:
            continue  # platform markers: none today; Lambda is Linux x86_64
        name = re.match(r"[A-Za-z0-9_.\-]+", spec.strip())
        if not name or name.group(0).lower() in LAMBDA_EXCLUDE or name.group(0).lower() == "movieagg":
            continue
        out.append(spec.strip())
    return sorted(set(out))


def find_python(version: str = LAMBDA_PYTHON) -> str | None:
    """A local interpreter of exactly ``version`` (to byte-compile for the runtime), or None."""
    candidates: list[str] = []
    if os.environ.get("MOVIEAGG_LAMBDA_PYTHON"):
        candidates.append(os.environ["MOVIEAGG_LAMBDA_PYTHON"])
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        candidates.append(sys.executable)
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(found)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates.extend(
            str(p / "bin" / f"python{version}") for p in sorted(pyenv.glob(f"{version}*"), reverse=True)
        )
    for exe in candidates:
        try:
            out = subprocess.run(  # noqa: S603 - a local interpreter, fixed arguments
                [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    return None


def _pip_install(requirements: list[str], target: Path, log: Callable[[str], None]) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--no-warn-script-location",
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON,
        "--only-binary=:all:",
        *[arg for platform in LAMBDA_PLATFORMS for arg in ("--platform", platform)],
        *requirements,
    ]
    log(f"pip: {len(requirements)} requirements for Python {LAMBDA_PYTHON} on {LAMBDA_PLATFORMS[0]}")
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise PackagingError(f"pip did not finish within {PIP_TIMEOUT} s") from None
    if out.returncode != 0:
        last = [line for line in (out.stderr or out.stdout).splitlines() if line.strip()][-3:]
        raise PackagingError("pip could not install the Lambda dependencies: " + " | ".join(last)[:500])
    shutil.rmtree(target / "bin", ignore_errors=True)


def _package_root() -> Path:
    import movieagg

    return Path(movieagg.__file__).resolve().parent


def _package_files() -> list[Path]:
    src = _package_root()
    return [
        p
        for p in _walk(src)
        if not any(part in _SKIP_DIRS for part in p.relative_to(src).parts)
        and p.suffix not in {".pyc", ".pyo"}
    ]


def _package_digest() -> str:
    src = _package_root()
    h = hashlib.sha256()
    for path in _package_files():
        h.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _copy_package(dest: Path) -> None:
    src = _package_root()
    for path in _package_files():
        rel = path.relative_to(src)
        out = dest / "movieagg" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)


def _compile(build: Path, python: str) -> None:
    cmd = [
        python,
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(build),
        "-p",
        "/var/task",
        str(build),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    if out.returncode != 0:
        raise PackagingError(f"byte-compiling with {python} failed: {(out.stderr or out.stdout)[-300:]}")


def build_lambda(
    workdir: Path,
    *,
    requirements: list[str] | None = None,
    deps_cache: Path | None = None,
    python: str | None = None,
    compile_bytecode: bool = True,
    log: Callable[[str], None] = lambda _m: None,
) -> Artifact:
    """Build the Lambda zip in ``workdir``; ``deps_cache`` reuses installed wheels across builds.

    ``python``: the interpreter that byte-compiles (default: look for Python 3.12);
    ``compile_bytecode=False`` ships sources only.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    reqs = lambda_requirements() if requirements is None else sorted(requirements)
    notes: list[str] = []
    key = hashlib.sha256(("\n".join([LAMBDA_PYTHON, *LAMBDA_PLATFORMS, *reqs])).encode()).hexdigest()[:24]
    deps = (deps_cache / key) if deps_cache else (workdir / "deps")
    if not (deps / ".complete").exists():
        tmp = deps.with_name(deps.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if reqs:
            _pip_install(reqs, tmp, log)
        (tmp / ".complete").write_text("\n".join(reqs))
        shutil.rmtree(deps, ignore_errors=True)
        tmp.rename(deps)
    interpreter = (python or find_python()) if compile_bytecode else None
    zpath = workdir / "lambda.zip"
    cached: Path | None = None
    if deps_cache is not None:
        # Same wheels + same movieagg sources + same compiler → same zip: reuse it.
        h = hashlib.sha256(key.encode())
        h.update(_package_digest().encode())
        h.update(str(interpreter and Path(interpreter).resolve()).encode())
        cached = deps_cache / "zips" / f"{h.hexdigest()[:32]}.zip"
        if cached.is_file():
            shutil.copyfile(cached, zpath)
            notes.append("reused a cached build (same dependencies and sources)")
            if interpreter:
                notes.append(f"byte-compiled with {interpreter} (Python {LAMBDA_PYTHON})")
            return _artifact(zpath, "lambda", ".zip", "application/zip", tuple(notes))
    build = workdir / "lambda"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(deps, build, ignore=shutil.ignore_patterns(".complete"))
    _copy_package(build)
    if interpreter:
        _compile(build, interpreter)
        notes.append(f"byte-compiled with {interpreter} (Python {LAMBDA_PYTHON})")
    else:
        notes.append(
            f"no local Python {LAMBDA_PYTHON} found: shipping sources only, the first cold start "
            "compiles them (set MOVIEAGG_LAMBDA_PYTHON to a python3.12 to precompile)"
        )
    write_zip(build, zpath)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        shutil.copyfile(zpath, tmp)
        tmp.replace(cached)
    return _artifact(zpath, "lambda", ".zip", "application/zip", tuple(notes))


# ---------------------------------------------------------------------- front end and nginx
def find_frontend(explicit: Path | None, log: Callable[[str], None], build: bool = True) -> Path:
    """The built front end (a directory with index.html); runs ``npm run build`` when needed."""
    if explicit is not None:
        if (explicit / "index.html").is_file():
            return explicit
        raise ConfigurationError(f"no index.html in {explicit}: build the front end first")
    env = os.environ.get("MOVIEAGG_FRONTEND")
    if env:
        return find_frontend(Path(env), log, build)
    candidates = [Path.cwd() / "frontend", Path(__file__).resolve().parents[2] / "frontend"]
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
    files = [(p.relative_to(site).as_posix(), p) for p in _walk(site) if p.is_file()]
    dest = workdir / "site.tar.gz"
    write_tar_gz(files, dest)
    return _artifact(dest, "site", ".tar.gz", "application/gzip", (f"{len(files)} files from {site}",))


def build_nginx(workdir: Path) -> Artifact:
    """infra/nginx/ (the config, rendered on the instance) + the renderer from infra/userdata/."""
    files: list[tuple[str, Path]] = []
    stage = workdir / "nginx-src"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)

    def add(name: str, node: Traversable) -> None:
        if node.is_dir():
            for child in node.iterdir():
                if child.name not in _SKIP_DIRS:
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
    return _artifact(dest, "nginx", ".tar.gz", "application/gzip", (f"{len(files)} files",))


def template_artifact(name: str, workdir: Path) -> Artifact:
    dest = workdir / name
    dest.write_text(read_template(name), encoding="utf-8")
    stem, _, ext = name.rpartition(".")
    return _artifact(dest, f"templates/{stem}", f".{ext}", "text/yaml")
