// Bodies in the real shapes: recorded from `movieagg serve` against bench/fakeapi.py.
import type { Candidate, Observation, RatingResult } from "../api";

export const DUNE_2021: RatingResult = {
  query: { title: "Dune", year: 2021 },
  movie: {
    title: "Dune",
    year: 2021,
    imdb_id: "tt1160419",
    tmdb_id: 438631,
    original_title: null,
    poster_url: "https://image.tmdb.org/t/p/w342/p438631.jpg",
    runtime: 155,
    director: "Denis Villeneuve",
  },
  ratings: [
    { name: "tmdb", label: "TMDB", value: 7.8, scale: 10, normalized: 78, votes: 12012, source: "tmdb", weight: 0.9917 },
    { name: "imdb", label: "IMDb", value: 8, scale: 10, normalized: 80, votes: 812345, source: "omdb", weight: 0.9999 },
    { name: "rotten_tomatoes", label: "Rotten Tomatoes", value: 83, scale: 100, normalized: 83, votes: null, source: "omdb", weight: 1 },
    { name: "metacritic", label: "Metacritic", value: 74, scale: 100, normalized: 74, votes: null, source: "omdb", weight: 1 },
    { name: "rotten_tomatoes", label: "Rotten Tomatoes", value: 83, scale: 100, normalized: 83, votes: 250, source: "wikidata", weight: 0 },
    { name: "rotten_tomatoes_average", label: "RT average rating", value: 6.9, scale: 10, normalized: 69, votes: 250, source: "wikidata", weight: 0.9804 },
    { name: "metacritic", label: "Metacritic", value: 74, scale: 100, normalized: 74, votes: 40, source: "wikidata", weight: 0 },
  ],
  score: 76.8,
  errors: [],
  cached: false,
  stale: false,
  fetched_at: "2026-11-25T16:49:14Z",
};

export const DUNE_1984: RatingResult = {
  ...DUNE_2021,
  query: { title: "Dune", year: 1984 },
  movie: { ...DUNE_2021.movie, year: 1984, imdb_id: "tt0087182", tmdb_id: 841, runtime: 137, director: "David Lynch" },
  ratings: [
    { name: "tmdb", label: "TMDB", value: 6.2, scale: 10, normalized: 62, votes: 3012, source: "tmdb", weight: 1 },
    { name: "imdb", label: "IMDb", value: 6.3, scale: 10, normalized: 63, votes: 169234, source: "omdb", weight: 1 },
  ],
  score: 62.5,
};

/** OMDb answered with an HTML 503: the aggregator reports it and goes on without it. */
export const BLADE_RUNNER_PARTIAL: RatingResult = {
  query: { title: "Blade Runner", year: null },
  movie: {
    title: "Blade Runner",
    year: 1982,
    imdb_id: "tt0083658",
    tmdb_id: 78,
    original_title: null,
    poster_url: null,
    runtime: 117,
    director: null,
  },
  ratings: [
    { name: "tmdb", label: "TMDB", value: 7.9, scale: 10, normalized: 79, votes: 14012, source: "tmdb", weight: 1 },
    { name: "rotten_tomatoes", label: "Rotten Tomatoes", value: 89, scale: 100, normalized: 89, votes: 250, source: "wikidata", weight: 1 },
    { name: "metacritic", label: "Metacritic", value: 84, scale: 100, normalized: 84, votes: 40, source: "wikidata", weight: 1 },
  ],
  score: 81.2,
  errors: [{ source: "omdb", message: "OMDb is unavailable (HTTP 503)" }],
  cached: true,
  stale: false,
  fetched_at: "2026-11-25T16:40:00Z",
};

export const DUNE_SEARCH = {
  query: { q: "Dune", year: null },
  results: [
    { title: "Dune", year: 2021, imdb_id: null, tmdb_id: 438631, original_title: null, poster_path: "/p438631.jpg", poster_url: "https://image.tmdb.org/t/p/w342/p438631.jpg", votes: 12012, source: "tmdb" },
    { title: "Dune", year: 1984, imdb_id: null, tmdb_id: 841, original_title: null, poster_path: "/p841.jpg", poster_url: "https://image.tmdb.org/t/p/w342/p841.jpg", votes: 3012, source: "tmdb" },
  ] satisfies (Candidate & { poster_path: string })[],
};

export const MATRIX_SEARCH = {
  query: { q: "The Matrix", year: null },
  results: [
    { title: "The Matrix", year: 1999, imdb_id: "tt0133093", tmdb_id: 603, original_title: null, poster_path: null, poster_url: null, votes: null, source: "wikidata" },
  ],
};

function obs(name: string, label: string, normalized: number, at: string): Observation {
  return { source: "omdb", name, label, value: normalized / 10, scale: 10, normalized, votes: 100, fetched_at: at };
}

export const DUNE_HISTORY = {
  imdb_id: "tt1160419",
  observations: [
    obs("imdb", "IMDb", 81, "2026-10-01T10:00:00Z"),
    obs("metacritic", "Metacritic", 74, "2026-10-01T10:00:00Z"),
    obs("imdb", "IMDb", 80, "2026-11-25T16:49:14Z"),
    obs("metacritic", "Metacritic", 74, "2026-11-25T16:49:14Z"),
  ],
};

export const ONE_OBSERVATION = { imdb_id: "tt1160419", observations: [obs("imdb", "IMDb", 80, "2026-11-25T16:49:14Z")] };

// Schema 1.0 answers, recorded from `movieagg serve` against bench/fakeapi.py (#13): a match the
// resolvers disagree on (a Letterboxd link to an ambiguous title), critics against the audience,
// and a miss with "did you mean".
export const SOLARIS_UNCERTAIN: RatingResult = {
  "schema_version": "1.0",
  "query": {
    "title": "Solaris",
    "year": null
  },
  "movie": {
    "title": "Solaris",
    "year": 1972,
    "imdb_id": "tt0069293",
    "tmdb_id": 593,
    "original_title": "Солярис",
    "poster_url": "https://image.tmdb.org/t/p/w342/p593.jpg",
    "runtime": 167,
    "director": "Andrei Tarkovsky"
  },
  "ratings": [
    {
      "name": "tmdb",
      "label": "TMDB",
      "value": 7.8,
      "scale": 10.0,
      "normalized": 78.0,
      "votes": 1612,
      "source": "tmdb",
      "weight": 0.1612,
      "pool": "tmdb",
      "family": "audience"
    },
    {
      "name": "imdb",
      "label": "IMDb",
      "value": 8.0,
      "scale": 10.0,
      "normalized": 80.0,
      "votes": 94123,
      "source": "omdb",
      "weight": 0.171,
      "pool": "imdb",
      "family": "audience"
    },
    {
      "name": "rotten_tomatoes",
      "label": "Rotten Tomatoes",
      "value": 92.0,
      "scale": 100.0,
      "normalized": 92.0,
      "votes": null,
      "source": "omdb",
      "weight": 0.0,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "metacritic",
      "label": "Metacritic",
      "value": 93.0,
      "scale": 100.0,
      "normalized": 93.0,
      "votes": null,
      "source": "omdb",
      "weight": 0.2525,
      "pool": "metacritic",
      "family": "critics"
    },
    {
      "name": "trakt",
      "label": "Trakt",
      "value": 7.966,
      "scale": 10.0,
      "normalized": 79.66,
      "votes": 4843,
      "source": "trakt",
      "weight": 0.1678,
      "pool": "trakt",
      "family": "audience"
    },
    {
      "name": "rotten_tomatoes",
      "label": "Rotten Tomatoes",
      "value": 92.0,
      "scale": 100.0,
      "normalized": 92.0,
      "votes": 250,
      "source": "wikidata",
      "weight": 0.0,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "rotten_tomatoes_average",
      "label": "RT average rating",
      "value": 7.7,
      "scale": 10.0,
      "normalized": 77.0,
      "votes": 250,
      "source": "wikidata",
      "weight": 0.2475,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "metacritic",
      "label": "Metacritic",
      "value": 93.0,
      "scale": 100.0,
      "normalized": 93.0,
      "votes": 40,
      "source": "wikidata",
      "weight": 0.0,
      "pool": "metacritic",
      "family": "critics"
    }
  ],
  "score": 82.2,
  "critics": 85.1,
  "audience": 79.2,
  "score_version": "families/2",
  "weights": {},
  "errors": [],
  "cached": false,
  "stale": false,
  "fetched_at": "2026-12-02T02:50:19Z",
  "alternatives": [
    {
      "title": "Solaris",
      "year": 2002,
      "imdb_id": null,
      "tmdb_id": 2103
    }
  ],
  "match": {
    "confidence": 0.51,
    "method": "title",
    "reasons": [
      "title \"Solaris\" matches exactly",
      "no year given; “Solaris” could also mean Solaris (2002)",
      "OMDb's search puts Solaris (2002) first",
      "4 sources report tt0069293"
    ]
  },
  "agreement": {
    "spread": 16.0,
    "range": [
      77.0,
      93.0
    ],
    "compared": 5,
    "outliers": []
  }
};

export const VENOM_SPLIT: RatingResult = {
  "schema_version": "1.0",
  "query": {
    "title": "Venom",
    "year": 2018
  },
  "movie": {
    "title": "Venom",
    "year": 2018,
    "imdb_id": "tt1270797",
    "tmdb_id": 335983,
    "original_title": null,
    "poster_url": "https://image.tmdb.org/t/p/w342/p335983.jpg",
    "runtime": 112,
    "director": "Ruben Fleischer"
  },
  "ratings": [
    {
      "name": "tmdb",
      "label": "TMDB",
      "value": 6.8,
      "scale": 10.0,
      "normalized": 68.0,
      "votes": 15012,
      "source": "tmdb",
      "weight": 0.1661,
      "pool": "tmdb",
      "family": "audience"
    },
    {
      "name": "imdb",
      "label": "IMDb",
      "value": 6.6,
      "scale": 10.0,
      "normalized": 66.0,
      "votes": 512345,
      "source": "omdb",
      "weight": 0.1671,
      "pool": "imdb",
      "family": "audience"
    },
    {
      "name": "rotten_tomatoes",
      "label": "Rotten Tomatoes",
      "value": 30.0,
      "scale": 100.0,
      "normalized": 30.0,
      "votes": null,
      "source": "omdb",
      "weight": 0.0,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "metacritic",
      "label": "Metacritic",
      "value": 35.0,
      "scale": 100.0,
      "normalized": 35.0,
      "votes": null,
      "source": "omdb",
      "weight": 0.2525,
      "pool": "metacritic",
      "family": "critics"
    },
    {
      "name": "trakt",
      "label": "Trakt",
      "value": 6.996,
      "scale": 10.0,
      "normalized": 69.96,
      "votes": 45043,
      "source": "trakt",
      "weight": 0.1668,
      "pool": "trakt",
      "family": "audience"
    },
    {
      "name": "rotten_tomatoes",
      "label": "Rotten Tomatoes",
      "value": 30.0,
      "scale": 100.0,
      "normalized": 30.0,
      "votes": 250,
      "source": "wikidata",
      "weight": 0.0,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "rotten_tomatoes_average",
      "label": "RT average rating",
      "value": 2.5,
      "scale": 10.0,
      "normalized": 25.0,
      "votes": 250,
      "source": "wikidata",
      "weight": 0.2475,
      "pool": "rotten_tomatoes",
      "family": "critics"
    },
    {
      "name": "metacritic",
      "label": "Metacritic",
      "value": 35.0,
      "scale": 100.0,
      "normalized": 35.0,
      "votes": 40,
      "source": "wikidata",
      "weight": 0.0,
      "pool": "metacritic",
      "family": "critics"
    }
  ],
  "score": 49.0,
  "critics": 30.0,
  "audience": 68.0,
  "score_version": "families/2",
  "weights": {},
  "errors": [],
  "cached": false,
  "stale": false,
  "fetched_at": "2026-12-02T02:50:19Z",
  "alternatives": [],
  "match": {
    "confidence": 1.0,
    "method": "title",
    "reasons": [
      "title \"Venom\" matches exactly",
      "released 2018, as asked",
      "4 sources report tt1270797"
    ]
  },
  "agreement": {
    "spread": 45.0,
    "range": [
      25.0,
      69.96
    ],
    "compared": 5,
    "outliers": [
      {
        "name": "rotten_tomatoes_average",
        "label": "RT average rating",
        "source": "wikidata",
        "normalized": 25.0,
        "centre": 67.0,
        "distance": 42.0
      },
      {
        "name": "metacritic",
        "label": "Metacritic",
        "source": "omdb",
        "normalized": 35.0,
        "centre": 67.0,
        "distance": 32.0
      }
    ]
  }
};

export const MATRX_NOT_FOUND = {
  "error": {
    "code": "not_found",
    "message": "no film matches 'the matrx' — did you mean: The Matrix (1999)?",
    "suggestions": [
      {
        "title": "The Matrix",
        "year": 1999,
        "imdb_id": "tt0133093"
      }
    ]
  }
};
