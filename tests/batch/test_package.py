"""The batch package's faces: every public name from ``movieagg.batch``, and ``movieagg``'s lazy names."""

from __future__ import annotations

import json
import subprocess
import sys

import movieagg
import movieagg.batch


def test_every_public_name_is_exported_from_the_package() -> None:
    assert sorted(movieagg.batch.__all__) == sorted(set(movieagg.batch.__all__))
    for name in movieagg.batch.__all__:
        assert getattr(movieagg.batch, name) is not None, name


def test_movieagg_names_are_the_batch_packages() -> None:
    for name in ("BatchItem", "BatchResult", "arate_many", "rate_many"):
        assert getattr(movieagg, name) is getattr(movieagg.batch, name)


def test_import_movieagg_leaves_the_batch_package_unloaded() -> None:
    probe = (
        "import json, sys\nimport movieagg\n"
        "before = sorted(m for m in sys.modules if m.startswith('movieagg.batch'))\n"
        "movieagg.rate_many\n"
        "print(json.dumps([before, 'movieagg.batch.engine' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == [[], True]
