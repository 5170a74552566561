"""Fixtures of the deploy tests: a plain moto_server process, shared by the modules that need one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra.moto_process import MotoProcess


@pytest.fixture(scope="session")
def plain_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoProcess]:
    with MotoProcess(tmp_path_factory.mktemp("moto") / "moto_server.log") as server:
        yield server
