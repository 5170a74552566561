"""The report's small statistics, checked against values worked out by hand."""

from __future__ import annotations

import pytest

from movieagg.taste.stats import histogram, mean, pearson, ranks, rmse, spearman


def test_ranks_share_ties() -> None:
    assert ranks([10, 30, 20, 30]) == [1.0, 3.5, 2.0, 3.5]


def test_spearman() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == -1.0
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)  # 1 - 6·4/(5·24)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8208, abs=1e-4)  # with a tie
    assert spearman([1, 2], [1, 2]) is None  # too few
    assert spearman([1, 2, 3], [5, 5, 5]) is None  # nothing to rank
    with pytest.raises(ValueError):
        spearman([1, 2, 3], [1, 2])


def test_pearson_mean_rmse() -> None:
    assert pearson([1, 2, 3], [2, 4, 7]) == pytest.approx(0.9934, abs=1e-4)
    assert mean([]) is None and mean([1, 2]) == 1.5
    assert rmse([3, -4]) == pytest.approx(3.5355, abs=1e-4) and rmse([]) is None


def test_histogram_bins_and_edges() -> None:
    assert histogram([0, 9.99, 10, 55, 99, 100, 101, -1]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
