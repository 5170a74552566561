import { describe, expect, it } from "vitest";
import {
  averageLine,
  averagesText,
  bandOf,
  cellLabel,
  episodeCode,
  findCell,
  firstCell,
  layout,
  moveOf,
  ratingText,
  step,
} from "./episodes";
import { BB_GRID } from "./test/seriesFixtures";

describe("episode grid logic", () => {
  it("bands ratings, prints numbers, labels cells", () => {
    expect([10, 9, 8.95, 8, 7.2, 6, 5.5, 4.9, 0, null].map(bandOf)).toEqual([
      "r9", "r9", "r8", "r8", "r7", "r6", "r5", "r0", "r0", "none",
    ]);
    expect(ratingText(10)).toBe("10.0");
    expect(ratingText(null)).toBe("–");
    const s5 = BB_GRID.seasons[2]!;
    expect(cellLabel(5, s5.episodes[1]!)).toBe("S5 E14 Ozymandias 10.0");
    expect(cellLabel(5, s5.episodes[0]!)).toBe("S5 E1 Live Free or Die 9.2, few votes");
    expect(cellLabel(3, BB_GRID.seasons[1]!.episodes[0]!)).toBe("S3 E1 No Más no rating");
    expect(episodeCode(5, 14)).toBe("S05E14");
  });

  it("lays out one row per episode number and one column per season, with gaps", () => {
    const { rows, cells, seasons } = layout(BB_GRID);
    expect(seasons.map((s) => s.season)).toEqual([1, 3, 5]);
    expect(rows).toEqual([1, 2, 3, 10, 14, 16]);
    expect(cells[0]!.map((c) => c?.title ?? null)).toEqual(["Pilot", "No Más", "Live Free or Die"]);
    expect(cells[3]!.map((c) => c?.title ?? null)).toEqual([null, "Fly", null]);
    expect(findCell(BB_GRID, 5, 14)?.imdb_id).toBe("tt2301451");
    expect(findCell(BB_GRID, 9, 1)).toBeNull();
  });

  it("arrow keys move between cells, skipping gaps, and stop at the edges", () => {
    const { cells } = layout(BB_GRID);
    expect(firstCell(cells)).toEqual([0, 0]);
    expect(step(cells, [0, 0], "right")).toEqual([0, 1]);
    expect(step(cells, [0, 2], "right")).toEqual([0, 2]); // the last season: stays
    expect(step(cells, [0, 0], "up")).toEqual([0, 0]);
    expect(step(cells, [2, 0], "down")).toEqual([2, 0]); // season 1 ends at E3
    expect(step(cells, [2, 1], "down")).toEqual([3, 1]); // S3: E1 … E10, the gap skipped
    expect(step(cells, [3, 1], "right")).toEqual([3, 1]); // no S5 E10
    expect(step(cells, [4, 2], "home")).toEqual([4, 2]); // only S5 has an E14
    expect(step(cells, [0, 0], "end")).toEqual([0, 2]);
    expect(step(cells, [0, 0], "last")).toEqual([5, 2]);
    expect(step(cells, [5, 2], "first")).toEqual([0, 0]);
    expect(moveOf("ArrowLeft", false)).toBe("left");
    expect(moveOf("Home", true)).toBe("first");
    expect(moveOf("a", false)).toBeNull();
  });

  it("draws the season-average line inside its box, higher averages higher up", () => {
    const { points, lo, hi } = averageLine(BB_GRID.seasons, 600, 180);
    expect(points.map((p) => p.season)).toEqual([1, 3, 5]);
    expect(lo).toBeLessThanOrEqual(7.8);
    expect(hi).toBeGreaterThanOrEqual(9.63);
    for (const p of points) {
      expect(p.x).toBeGreaterThan(0);
      expect(p.x).toBeLessThan(600);
      expect(p.y).toBeGreaterThan(0);
      expect(p.y).toBeLessThan(180);
    }
    expect(points[2]!.y).toBeLessThan(points[0]!.y);
    expect(points[1]!.y).toBeGreaterThan(points[0]!.y);
    expect(averagesText(BB_GRID.seasons)).toBe("Season averages: S1 8.7, S3 7.8, S5 9.6");
  });

  it("leaves seasons without an average out of the line", () => {
    const seasons = [
      { season: 1, average: 8, episodes: [] },
      { season: 2, average: null, episodes: [] },
    ];
    expect(averageLine(seasons, 300, 100).points.map((p) => p.season)).toEqual([1]);
  });
});

describe("series route", () => {
  it("/series/{imdb id} is the series page; anything else there is missing", async () => {
    const { parseRoute, seriesHref } = await import("./router");
    expect(parseRoute({ pathname: "/series/tt0903747", search: "" })).toEqual({ kind: "series", imdbId: "tt0903747" });
    expect(parseRoute({ pathname: "/series/TT0903747/", search: "" })).toEqual({ kind: "series", imdbId: "tt0903747" });
    expect(parseRoute({ pathname: "/series/breaking-bad", search: "" }).kind).toBe("missing");
    expect(parseRoute({ pathname: "/series/%E0%A4%A", search: "" }).kind).toBe("missing");
    expect(parseRoute({ pathname: "/movie/tt2301451", search: "" })).toEqual({ kind: "movie", imdbId: "tt2301451" });
    expect(seriesHref("tt0903747")).toBe("/series/tt0903747");
  });
});
