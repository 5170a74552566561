// The episode grid's logic, kept out of the components: colour bands, cell labels, the
// season × episode layout, and the season-average line's geometry.
import type { EpisodeCell, EpisodeGrid, SeasonRow } from "./api";

/** Colour bands of a 0–10 rating, best first. The number is always printed too. */
export const BANDS = [
  { key: "r9", min: 9, label: "9.0–10" },
  { key: "r8", min: 8, label: "8.0–8.9" },
  { key: "r7", min: 7, label: "7.0–7.9" },
  { key: "r6", min: 6, label: "6.0–6.9" },
  { key: "r5", min: 5, label: "5.0–5.9" },
  { key: "r0", min: 0, label: "below 5" },
] as const;

export type BandKey = (typeof BANDS)[number]["key"] | "none";

export function bandOf(rating: number | null): BandKey {
  if (rating === null || !Number.isFinite(rating)) return "none";
  return BANDS.find((b) => rating >= b.min)?.key ?? "r0";
}

export function ratingText(rating: number | null): string {
  return rating === null || !Number.isFinite(rating) ? "–" : rating.toFixed(1);
}

/** "S5 E14 Ozymandias 10.0" (plus "few votes" for a thin rating, "no rating" without one). */
export function cellLabel(season: number, cell: EpisodeCell): string {
  const parts = [`S${season} E${cell.episode}`];
  if (cell.title) parts.push(cell.title);
  parts.push(cell.rating === null ? "no rating" : ratingText(cell.rating));
  let label = parts.join(" ");
  if (cell.rating !== null && cell.thin) label += ", few votes";
  return label;
}

/** "S05E14", as episodes are usually written. */
export function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, "0")}E${String(episode).padStart(2, "0")}`;
}

export interface Layout {
  seasons: SeasonRow[];
  /** Episode numbers, ascending: one row each. */
  rows: number[];
  /** cells[row][column]: the season's episode with that number, or null. */
  cells: (EpisodeCell | null)[][];
}

/** Rows are episode numbers, columns seasons (a long season adds rows, not width). */
export function layout(grid: EpisodeGrid): Layout {
  const seasons = [...grid.seasons].sort((a, b) => a.season - b.season);
  const numbers = new Set<number>();
  for (const s of seasons) for (const e of s.episodes) numbers.add(e.episode);
  const rows = [...numbers].sort((a, b) => a - b);
  const index = seasons.map((s) => new Map(s.episodes.map((e) => [e.episode, e])));
  const cells = rows.map((n) => index.map((m) => m.get(n) ?? null));
  return { seasons, rows, cells };
}

export type Move = "up" | "down" | "left" | "right" | "home" | "end" | "first" | "last";

const KEYS: Record<string, Move> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
  Home: "home",
  End: "end",
};

/** The move a key asks for (Ctrl+Home/End: the first/last cell of the grid). */
export function moveOf(key: string, ctrl: boolean): Move | null {
  if (ctrl && key === "Home") return "first";
  if (ctrl && key === "End") return "last";
  return KEYS[key] ?? null;
}

/**
 * The cell a move lands on, skipping empty slots (a season without that episode); the same
 * cell when there is nowhere to go. Positions are [row, column].
 */
export function step(cells: (EpisodeCell | null)[][], at: [number, number], move: Move): [number, number] {
  const r = at[0];
  const width = cells[r]?.length ?? 0;
  const filled = (i: number, j: number) => cells[i]?.[j] != null;
  const scan = (from: [number, number], dr: number, dc: number): [number, number] => {
    let [i, j] = [from[0] + dr, from[1] + dc];
    while (i >= 0 && i < cells.length && j >= 0 && j < (cells[0]?.length ?? 0)) {
      if (filled(i, j)) return [i, j];
      i += dr;
      j += dc;
    }
    return at;
  };
  switch (move) {
    case "up":
      return scan(at, -1, 0);
    case "down":
      return scan(at, 1, 0);
    case "left":
      return scan(at, 0, -1);
    case "right":
      return scan(at, 0, 1);
    case "home":
      return filled(r, 0) ? [r, 0] : scan([r, -1], 0, 1);
    case "end":
      return filled(r, width - 1) ? [r, width - 1] : scan([r, width], 0, -1);
    case "first":
      return firstCell(cells) ?? at;
    case "last": {
      for (let i = cells.length - 1; i >= 0; i -= 1)
        for (let j = (cells[i]?.length ?? 0) - 1; j >= 0; j -= 1) if (filled(i, j)) return [i, j];
      return at;
    }
  }
}

export function firstCell(cells: (EpisodeCell | null)[][]): [number, number] | null {
  for (let i = 0; i < cells.length; i += 1) {
    const row = cells[i] ?? [];
    for (let j = 0; j < row.length; j += 1) if (row[j]) return [i, j];
  }
  return null;
}

export interface LinePoint {
  season: number;
  average: number;
  x: number;
  y: number;
}

/** The season-average line in a width × height box (padding inside); seasons without an average are gaps. */
export function averageLine(
  seasons: SeasonRow[],
  width: number,
  height: number,
  pad = 24,
): { points: LinePoint[]; lo: number; hi: number } {
  const rated = seasons.filter((s) => s.average !== null && Number.isFinite(s.average));
  const values = rated.map((s) => s.average as number);
  let lo = Math.max(0, Math.floor((Math.min(...values, 10) - 0.3) * 2) / 2);
  let hi = Math.min(10, Math.ceil((Math.max(...values, 0) + 0.3) * 2) / 2);
  if (!(hi > lo)) [lo, hi] = [0, 10];
  const columns = Math.max(seasons.length, 1);
  const x = (i: number) => pad + ((width - 2 * pad) * (i + 0.5)) / columns;
  const y = (v: number) => height - pad - ((height - 2 * pad) * (v - lo)) / (hi - lo);
  const points = seasons.flatMap((s, i) =>
    s.average !== null && Number.isFinite(s.average)
      ? [{ season: s.season, average: s.average, x: x(i), y: y(s.average) }]
      : [],
  );
  return { points, lo, hi };
}

/** The whole line as a sentence, for screen readers: "Season averages: S1 8.9, S2 8.7". */
export function averagesText(seasons: SeasonRow[]): string {
  const parts = seasons.map((s) => `S${s.season} ${ratingText(s.average)}`);
  return `Season averages: ${parts.join(", ")}`;
}

const SOURCE_NAMES: Record<string, string> = { imdb: "IMDb", tmdb: "TMDB", trakt: "Trakt" };

export function gridSourceName(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

/** The grid cell (with its IMDb id) a best/worst entry names. */
export function findCell(grid: EpisodeGrid, season: number, episode: number): EpisodeCell | null {
  return grid.seasons.find((s) => s.season === season)?.episodes.find((e) => e.episode === episode) ?? null;
}
