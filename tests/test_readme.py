"""The README followed literally: what it copies from the fake is what the fake prints, and its
examples are films the fake knows (so every command in it answers offline)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from bench.fakeapi import env_for
from bench.films import FILMS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_fake_export_lines_are_the_readme_lines() -> None:
    block = README.split("python -m bench.fakeapi --port 8765 &", 1)[1].split("```", 1)[0]
    copied = dict(re.findall(r"^export (\w+)=(\S+)$", block, re.MULTILINE))
    assert copied == env_for("http://127.0.0.1:8765")


def test_fake_list_names_its_films_from_any_directory(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.fakeapi", "--list"], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=True,
    )
    lines = out.stdout.splitlines()
    assert len(lines) == len(FILMS) + 1
    heat = next(line for line in lines if line.startswith("Heat ") and "1995" in line)  # also 1986's
    assert "tt0113277" in heat and "omdb" in heat and "tmdb" in heat


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def test_readme_examples_are_films_the_fake_knows() -> None:
    from bench.series import EPISODES_BY_IMDB, SERIES

    names = {_norm(n) for f in FILMS for n in (f["title"], f["original"], *f["alt_titles"]) if n}
    names |= {_norm(s["title"]) for s in SERIES}  # issue #16: series and their episodes
    ids = {f["imdb"] for f in FILMS} | {s["imdb"] for s in SERIES} | set(EPISODES_BY_IMDB)
    examples = re.findall(r'movieagg (?:rate|search|history) "([^"]+)"', README)
    examples += re.findall(r'movieagg\.(?:a?rate|a?search)\("([^"]+)"', README)
    examples += re.findall(r'"([^"(]+?)(?: \(\d{4}\))?"', README.split("rate_many(", 1)[1].split(")", 1)[0])
    assert len(examples) >= 10
    examples = [re.sub(r" \(\d{4}\)$", "", e) for e in examples]  # "Psycho (1960)": a title and year
    examples = [re.sub(r" (S\d\dE\d\d|\d+x\d+)$", "", e) for e in examples]  # an episode of a series
    misses = {"the matrx"}  # the README's "did you mean" example: a typo on purpose
    missing = sorted({e for e in examples if _norm(e) not in names and e not in misses})
    assert missing == [], f"README examples the fake does not know: {missing}"
    quoted_ids = set(re.findall(r"\btt\d{7,8}\b", README))
    assert quoted_ids <= ids | {"tt9999990"}, sorted(quoted_ids - ids)
