import { describe, expect, it } from "vitest";
import { BLADE_RUNNER_PARTIAL, DUNE_2021 } from "./test/fixtures";
import {
  ago,
  band,
  groupRatings,
  nativeValue,
  normTitle,
  partialNotice,
  ratingLink,
  runtimeText,
  sameTitle,
  votesText,
} from "./format";

describe("nativeValue", () => {
  it("shows each rating as its source does", () => {
    expect(nativeValue({ name: "imdb", value: 8, scale: 10 })).toBe("8.0/10");
    expect(nativeValue({ name: "tmdb", value: 7.83, scale: 10 })).toBe("7.8/10");
    expect(nativeValue({ name: "rotten_tomatoes", value: 83, scale: 100 })).toBe("83%");
    expect(nativeValue({ name: "rotten_tomatoes_average", value: 6.9, scale: 10 })).toBe("6.9/10");
    expect(nativeValue({ name: "metacritic", value: 74, scale: 100 })).toBe("74/100");
    expect(nativeValue({ name: "letterboxd", value: 4.2, scale: 5 })).toBe("4.2/5");
  });
});

describe("votesText", () => {
  it("counts votes for audiences and reviews for critics", () => {
    expect(votesText({ name: "imdb", votes: 812345 })).toBe("812.3K votes");
    expect(votesText({ name: "tmdb", votes: 3012 })).toBe("3,012 votes");
    expect(votesText({ name: "rotten_tomatoes", votes: 250 })).toBe("250 reviews");
    expect(votesText({ name: "metacritic", votes: 1 })).toBe("1 review");
    expect(votesText({ name: "imdb", votes: null })).toBeNull();
  });
});

describe("band", () => {
  it("puts every score in a named band (colour is never the only cue)", () => {
    expect(band(95).label).toBe("Great");
    expect(band(80).key).toBe("great");
    expect(band(79.9).key).toBe("good");
    expect(band(50).key).toBe("fair");
    expect(band(35).key).toBe("mixed");
    expect(band(0).key).toBe("poor");
  });
});

describe("groupRatings", () => {
  it("makes one bar per rating, the counted one first, duplicates beside it", () => {
    const groups = groupRatings(DUNE_2021.ratings);
    expect(groups.map((g) => g.main.name)).toEqual([
      "tmdb",
      "imdb",
      "rotten_tomatoes",
      "metacritic",
      "rotten_tomatoes_average",
    ]);
    const rt = groups.find((g) => g.main.name === "rotten_tomatoes")!;
    expect(rt.main.source).toBe("omdb");
    expect(rt.also.map((r) => r.source)).toEqual(["wikidata"]);
  });
});

describe("partialNotice", () => {
  it("says calmly which source failed and how many answered", () => {
    expect(partialNotice(BLADE_RUNNER_PARTIAL)).toBe("OMDb did not answer; showing 2 of 3 sources.");
    expect(partialNotice(DUNE_2021)).toBeNull();
  });

  it("names several failed sources", () => {
    const result = {
      ratings: BLADE_RUNNER_PARTIAL.ratings.filter((r) => r.source === "tmdb"),
      errors: [
        { source: "omdb", message: "x" },
        { source: "wikidata", message: "y" },
      ],
    };
    expect(partialNotice(result)).toBe("OMDb and Wikidata did not answer; showing 1 of 3 sources.");
  });
});

describe("links out", () => {
  it("points at each source's own page for the film", () => {
    const movie = DUNE_2021.movie;
    expect(ratingLink({ name: "imdb", source: "omdb" }, movie)).toBe("https://www.imdb.com/title/tt1160419/");
    expect(ratingLink({ name: "tmdb", source: "tmdb" }, movie)).toBe("https://www.themoviedb.org/movie/438631");
    expect(ratingLink({ name: "rotten_tomatoes", source: "omdb" }, movie)).toBe(
      "https://www.rottentomatoes.com/search?search=Dune",
    );
    expect(ratingLink({ name: "metacritic", source: "omdb" }, movie)).toContain("metacritic.com/search/Dune");
    expect(ratingLink({ name: "imdb", source: "omdb" }, { ...movie, imdb_id: null })).toBeNull();
  });

  it("searches AniList and MyAnimeList by title", () => {
    const movie = { ...DUNE_2021.movie, title: "Perfect Blue" };
    expect(ratingLink({ name: "anilist", source: "anilist" }, movie)).toBe(
      "https://anilist.co/search/anime?search=Perfect%20Blue",
    );
    expect(ratingLink({ name: "myanimelist", source: "jikan" }, movie)).toBe(
      "https://myanimelist.net/anime.php?q=Perfect%20Blue",
    );
  });
});

describe("small formats", () => {
  it("formats runtime and relative time", () => {
    expect(runtimeText(155)).toBe("2 h 35 min");
    expect(runtimeText(45)).toBe("45 min");
    expect(runtimeText(null)).toBeNull();
    const now = new Date("2026-11-25T17:00:00Z");
    expect(ago("2026-11-25T16:59:50Z", now)).toBe("just now");
    expect(ago("2026-11-25T16:55:00Z", now)).toBe("5 minutes ago");
    expect(ago("2026-11-22T17:00:00Z", now)).toBe("3 days ago");
  });

  it("finds remakes sharing a title, ignoring case, accents and punctuation", () => {
    expect(normTitle("Amélie")).toBe(normTitle("amelie"));
    expect(normTitle("WALL·E")).toBe("wall e");
    const same = sameTitle(
      [
        { title: "Dune", year: 2021, imdb_id: null, tmdb_id: 1, original_title: null, poster_url: null, votes: null, source: "tmdb" },
        { title: "Dune: Part Two", year: 2024, imdb_id: null, tmdb_id: 2, original_title: null, poster_url: null, votes: null, source: "tmdb" },
        { title: "DUNE", year: 1984, imdb_id: null, tmdb_id: 3, original_title: null, poster_url: null, votes: null, source: "tmdb" },
        { title: "Dune", year: 2021, imdb_id: null, tmdb_id: 1, original_title: null, poster_url: null, votes: null, source: "tmdb" },
      ],
      "dune",
    );
    expect(same.map((c) => c.year)).toEqual([2021, 1984]);
  });
});
