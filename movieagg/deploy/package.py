"""The Lambda zip: the runtime packages of movieagg and their manylinux wheels, nothing else.

Only what the Lambda handler imports goes in (:data:`RUNTIME`): not the CLI, the commands,
this deploy tooling or the batch engine. So the zip's content hash — its S3 key and the
function's code hash — changes only when runtime code changes; editing deploy code does not
redeploy the function.

Dependencies are manylinux wheels for the Lambda runtime (Python 3.12, x86_64) installed with
``pip install --platform … --only-binary=:all: --no-compile --target``, slimmed
(:mod:`movieagg.deploy.slim`: parts never imported left out, dependencies shipped as bytecode
without their sources); the tree is then byte-compiled by a local Python 3.12 with
``--invalidation-mode unchecked-hash`` (deterministic, and the runtime never re-checks sources)
so cold starts do not compile. Without a local Python 3.12 the zip ships sources only and the
build says so.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from movieagg.core.config import Settings
from movieagg.deploy.archives import SKIP_DIRS, Artifact, artifact, walk, write_zip
from movieagg.deploy.errors import PackagingError
from movieagg.deploy.slim import PRUNED, prune, trim_metadata

LAMBDA_PYTHON = "3.12"
LAMBDA_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
# The CLI's own dependencies never run in Lambda; boto3/botocore come with the Lambda runtime
# (movieagg.aws.params imports boto3 only to read Parameter Store).
# CLI-only: typer, rich and click draw the terminal; boto3/botocore deploy. The runtime imports none.
LAMBDA_EXCLUDE = frozenset({"typer", "rich", "click", "boto3", "botocore"})
LAMBDA_EXTRAS = ("redis", "postgres")
BUILD_RECIPE = "5"
# Dependencies that read their own docstrings when imported (SQLAlchemy's event system asserts
# them): compiled with their docstrings; every other dependency's are dropped.
KEEP_DOCSTRINGS = ("sqlalchemy",)  # bump when the build changes what a zip holds: cached zips are keyed by it
PIP_TIMEOUT = 900
# What the Lambda runtime imports, relative to the movieagg package: these files and packages.
# tests/deploy/test_lambda_zip.py checks that serving every route imports nothing else.
RUNTIME = (
    "__init__.py",
    "_version.py",
    "api.py",
    "factory.py",
    "py.typed",
    "aws/",
    "cache/",
    "core/",
    "records/",
    "sources/",
    "store/",
    "web/",
)


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


def find_python(version: str = LAMBDA_PYTHON, settings: Settings | None = None) -> str | None:
    """A local interpreter of exactly ``version`` (to byte-compile for the runtime), or None.

    Tried in order: MOVIEAGG_LAMBDA_PYTHON, this interpreter, ``python3.12`` on PATH, pyenv's.
    """
    settings = settings or Settings.from_env(read_file=False)
    candidates: list[str] = []
    if settings.lambda_python:
        candidates.append(settings.lambda_python)
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        candidates.append(sys.executable)
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(found)
    pyenv = Path(settings.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
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


def _installed_package() -> Path:
    import movieagg

    return Path(movieagg.__file__).resolve().parent


def runtime_files(package: Path) -> list[Path]:
    """The files of the movieagg package at ``package`` that the Lambda runtime needs."""
    files = [package / name for name in RUNTIME if not name.endswith("/") and (package / name).is_file()]
    for name in RUNTIME:
        if name.endswith("/") and (package / name).is_dir():
            files.extend(
                p
                for p in walk(package / name)
                if not any(part in SKIP_DIRS for part in p.relative_to(package).parts)
                and p.suffix not in {".pyc", ".pyo"}
            )
    return sorted(files, key=lambda p: p.relative_to(package).as_posix())


def runtime_digest(package: Path) -> str:
    """A hash of the runtime files' names and contents: what the zip's movieagg part holds."""
    h = hashlib.sha256()
    for path in runtime_files(package):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _copy_runtime(package: Path, dest: Path) -> None:
    for path in runtime_files(package):
        out = dest / "movieagg" / path.relative_to(package)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)


def _compile(build: Path, python: str) -> None:
    """Byte-compile with the runtime's Python: movieagg into ``__pycache__`` beside its sources,
    the dependencies into sourceless, docstring-free ``x.pyc`` (:mod:`movieagg.deploy.bytecode`)."""
    from movieagg.deploy import bytecode

    own = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    own += ["-s", str(build), "-p", "/var/task", str(build / "movieagg")]
    deps = [python, "-I", str(Path(bytecode.__file__)), str(build), "--exclude", "movieagg"]
    deps += [arg for name in KEEP_DOCSTRINGS for arg in ("--keep-docstrings", name)]
    for cmd in (own, deps):
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
    package: Path | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> Artifact:
    """Build the Lambda zip in ``workdir``; ``deps_cache`` reuses installed wheels across builds.

    ``python``: the interpreter that byte-compiles (default: look for Python 3.12);
    ``compile_bytecode=False`` ships sources only; ``package``: the movieagg package directory
    to ship (default: the one running).
    """
    package = package or _installed_package()
    workdir.mkdir(parents=True, exist_ok=True)
    reqs = lambda_requirements() if requirements is None else sorted(requirements)
    notes: list[str] = []
    key = hashlib.sha256(("\n".join([LAMBDA_PYTHON, *LAMBDA_PLATFORMS, *reqs])).encode()).hexdigest()[:24]
    recipe = f"{BUILD_RECIPE}:{compile_bytecode}:{PRUNED!r}:{KEEP_DOCSTRINGS!r}"
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
        # Same wheels + same runtime sources + same compiler → same zip: reuse it.
        h = hashlib.sha256(f"{key}:{recipe}".encode())
        h.update(runtime_digest(package).encode())
        h.update(str(interpreter and Path(interpreter).resolve()).encode())
        cached = deps_cache / "zips" / f"{h.hexdigest()[:32]}.zip"
        if cached.is_file():
            shutil.copyfile(cached, zpath)
            notes.append("reused a cached build (same dependencies and sources)")
            if interpreter:
                notes.append(f"byte-compiled with {interpreter} (Python {LAMBDA_PYTHON})")
            return artifact(zpath, "lambda", ".zip", "application/zip", tuple(notes))
    build = workdir / "lambda"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(deps, build, ignore=shutil.ignore_patterns(".complete"))
    pruned = prune(build)
    trim_metadata(build)
    if pruned:
        notes.append(f"left out {len(pruned)} unused parts of the dependencies (movieagg.deploy.slim)")
    _copy_runtime(package, build)
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
    return artifact(zpath, "lambda", ".zip", "application/zip", tuple(notes))


__all__ = [
    "LAMBDA_PYTHON",
    "RUNTIME",
    "build_lambda",
    "find_python",
    "lambda_requirements",
    "runtime_digest",
    "runtime_files",
]
