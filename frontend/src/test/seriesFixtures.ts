// The episode grid in the shape of GET /api/series/{imdb_id}/episodes (core/schema/episode-grid.json
// 1.0). Breaking Bad's real ids, titles and well-known ratings (Pilot, Cat's in the Bag...,
// Ozymandias 10.0, Felina 9.9, Fly 7.8), trimmed to a few cells, plus the odd cases: a thin
// rating, an unrated episode, an episode without an IMDb id, a gap, an error from one source.
import type { EpisodeGrid, RatingResult } from "../api";
import { DUNE_2021 } from "./fixtures";

export const BB_GRID: EpisodeGrid = {
  schema_version: "1.0",
  series: { imdb_id: "tt0903747", title: "Breaking Bad", years: "2008–2013", seasons: 5 },
  source: "imdb",
  seasons: [
    {
      season: 1,
      average: 8.65,
      episodes: [
        { episode: 1, imdb_id: "tt0959621", title: "Pilot", air_date: "2008-01-20", rating: 9.0, votes: 66000, thin: false },
        { episode: 2, imdb_id: "tt1054724", title: "Cat's in the Bag...", air_date: "2008-01-27", rating: 8.6, votes: 49000, thin: false },
        { episode: 3, imdb_id: "tt1054725", title: "...And the Bag's in the River", air_date: "2008-02-10", rating: 8.3, votes: 46000, thin: false },
      ],
    },
    {
      season: 3,
      average: 7.8,
      episodes: [
        { episode: 1, imdb_id: null, title: "No Más", air_date: null, rating: null, votes: null, thin: false },
        { episode: 10, imdb_id: "tt1615550", title: "Fly", air_date: "2010-05-23", rating: 7.8, votes: 55000, thin: false },
      ],
    },
    {
      season: 5,
      average: 9.63,
      episodes: [
        { episode: 1, imdb_id: "tt1615186", title: "Live Free or Die", air_date: "2012-07-15", rating: 9.2, votes: 40, thin: true },
        { episode: 14, imdb_id: "tt2301451", title: "Ozymandias", air_date: "2013-09-15", rating: 10.0, votes: 260000, thin: false },
        { episode: 16, imdb_id: "tt2301455", title: "Felina", air_date: "2013-09-29", rating: 9.9, votes: 150000, thin: false },
      ],
    },
  ],
  best: [
    { season: 5, episode: 14, title: "Ozymandias", rating: 10.0 },
    { season: 5, episode: 16, title: "Felina", rating: 9.9 },
  ],
  worst: [
    { season: 3, episode: 10, title: "Fly", rating: 7.8 },
    { season: 1, episode: 3, title: "...And the Bag's in the River", rating: 8.3 },
  ],
  errors: [{ source: "trakt", code: "timeout", message: "timed out after 10s" }],
  cached: false,
};

/** A rating answer about the series itself (kind series, schema 1.1's "tv" as core/tvinfo.py writes it). */
export const BB_SERIES_RESULT: RatingResult = {
  ...DUNE_2021,
  query: { title: "Breaking Bad", year: null },
  kind: "series",
  movie: { ...DUNE_2021.movie, title: "Breaking Bad", year: 2008, imdb_id: "tt0903747", tmdb_id: 1396, runtime: 45, director: null },
  tv: {
    years: "2008–2013", seasons: 5, episodes: 62, networks: ["AMC"], creators: ["Vince Gilligan"],
    season: null, episode: null, series: null,
  },
};

/** A rating answer about one episode (kind episode). */
export const OZYMANDIAS_RESULT: RatingResult = {
  ...DUNE_2021,
  query: { title: "Breaking Bad", year: null },
  kind: "episode",
  movie: { ...DUNE_2021.movie, title: "Ozymandias", year: 2013, imdb_id: "tt2301451", tmdb_id: null, runtime: 48, director: "Rian Johnson" },
  tv: {
    years: null, seasons: null, episodes: null, networks: [], creators: [],
    season: 5, episode: 14, series: { imdb_id: "tt0903747", title: "Breaking Bad" },
  },
};
