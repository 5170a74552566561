"""``movieagg taste``: what a person's own ratings (a Letterboxd or IMDb export) say about them.

One module a job: :mod:`~movieagg.taste.exports` reads the export (through the batch readers),
:mod:`~movieagg.taste.stats` and :mod:`~movieagg.taste.fit` hold the numbers (rank correlation,
the weight profile and its validation), :mod:`~movieagg.taste.report` puts them together, and
:mod:`~movieagg.taste.terminal` / :mod:`~movieagg.taste.html` draw them. Lookups go through the
batch engine; nothing here sends anything but the titles it looks up.
"""
