"""The house's dependency rules, checked on every import statement (lazy ones included).

Faces (cli, commands, web, aws, batch) → factory → sources, cache, records, store → core.
The core imports none of the layers above it nor an I/O library; adapters import no store;
the Lambda runtime imports no deploy tooling or CLI. A rule broken here is a design change:
make it on purpose, in this table, with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "movieagg"

IO_LIBRARIES = (
    "typer",
    "click",
    "rich",
    "httpx",
    "boto3",
    "botocore",
    "redis",
    "diskcache",
    "sqlmodel",
    "sqlalchemy",
)
FACES = (
    "movieagg.cli",
    "movieagg.commands",
    "movieagg.web",
    "movieagg.aws",
    "movieagg.batch",
    "movieagg.deploy",
)
CLI_ONLY = (
    "movieagg.cli",
    "movieagg.commands",
    "movieagg._render",
    "movieagg._render_episodes",
    "movieagg._jsonout",
)

# module prefix → what it must never import (prefixes)
RULES: dict[str, tuple[str, ...]] = {
    "movieagg.core": (
        "movieagg.sources",
        "movieagg.cache",
        "movieagg.records",
        "movieagg.store",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
        *IO_LIBRARIES,
    ),
    "movieagg.sources": (
        "movieagg.store",
        "movieagg.records",
        "movieagg.cache",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
        "typer",
        "rich",
        "boto3",
        "redis",
        "diskcache",
        "sqlmodel",
        "sqlalchemy",
    ),
    "movieagg.cache": (
        "movieagg.sources",
        "movieagg.store",
        "movieagg.records",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
    ),
    "movieagg.store": (
        "movieagg.sources",
        "movieagg.cache",
        "movieagg.records",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
    ),
    "movieagg.records": (
        "movieagg.sources",
        "movieagg.cache",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
    ),
    "movieagg.factory": (*FACES, *CLI_ONLY, "movieagg.api"),
    # Drawing an episode grid from a runtime: shared by the CLI, the library and the API.
    "movieagg.grids": (*FACES, *CLI_ONLY, "movieagg.api"),
    # Rating a series or an episode from a runtime: shared by the CLI, the library and the API.
    "movieagg.tvlookup": (*FACES, *CLI_ONLY, "movieagg.api"),
    # The same-title series of a film answer (#16): the TV lookup asks it, the quick path reads it.
    "movieagg.tvhint": (*FACES, *CLI_ONLY, "movieagg.api"),
    "movieagg.api": (*FACES, *CLI_ONLY),
    "movieagg.web": (
        "movieagg.cli",
        "movieagg.commands",
        "movieagg.batch",
        "movieagg.deploy",
        *CLI_ONLY,
        "typer",
        "rich",
    ),
    "movieagg.aws": (
        "movieagg.cli",
        "movieagg.commands",
        "movieagg.batch",
        "movieagg.deploy",
        *CLI_ONLY,
        "typer",
        "rich",
    ),
    "movieagg.batch": (
        "movieagg.cli",
        "movieagg.commands",
        "movieagg.web",
        "movieagg.aws",
        "movieagg.deploy",
    ),
    "movieagg.deploy": ("movieagg.cli", "movieagg.commands"),
    # Reports on a user's own ratings: built on the batch engine, rendered for the CLI by it.
    "movieagg.taste": (
        "movieagg.cli",
        "movieagg.commands",
        "movieagg.web",
        "movieagg.aws",
        "movieagg.deploy",
        "typer",
        "click",
    ),
    # The command's dataclass code cache runs before anything else is imported: the stdlib only.
    "movieagg._dataclass_code": (
        "movieagg.core",
        "movieagg.sources",
        "movieagg.cache",
        "movieagg.records",
        "movieagg.store",
        "movieagg.factory",
        "movieagg.api",
        *FACES,
        *CLI_ONLY,
        *IO_LIBRARIES,
    ),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_table_covers_every_package() -> None:
    packages = {_module_name(p).split(".")[1] for p in MODULES if _module_name(p).count(".") >= 1}
    ruled = {prefix.split(".")[1] for prefix in RULES}
    unruled = packages - ruled - {"cli", "commands", "_render", "_render_episodes", "_jsonout", "_version", "__main__"}
    assert not unruled, f"add a layering rule for: {sorted(unruled)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_module_keeps_the_layering(path: Path) -> None:
    module = _module_name(path)
    forbidden = [f for prefix, banned in RULES.items() if _matches(module, prefix) for f in banned]
    broken = sorted(
        name for name in _imports(path) for f in forbidden if _matches(name, f) and not _matches(name, module)
    )
    assert not broken, f"{module} imports {broken}"


def test_nothing_below_the_cli_imports_it() -> None:
    offenders = [
        _module_name(p)
        for p in MODULES
        if not _matches(_module_name(p), "movieagg.__main__")
        and any(_matches(n, "movieagg.cli") for n in _imports(p))
        and _module_name(p) != "movieagg.cli"
    ]
    assert offenders == []


def test_settings_are_read_in_one_place() -> None:
    """Only core/config.py reads the environment (Settings has an accessor for each setting)."""
    readers = []
    for path in MODULES:
        if _module_name(path) == "movieagg.core.config":
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv")
                and getattr(node.value, "id", None) == "os"
            ):
                readers.append(f"{_module_name(path)}:{node.lineno}")
    assert readers == []
