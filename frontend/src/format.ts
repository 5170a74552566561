// Pure presentation helpers: native rating values, vote counts, colour bands, links out.
import type { Agreement, Candidate, Movie, Rating, RatingResult, SourceError } from "./api";

const SOURCE_LABELS: Record<string, string> = {
  tmdb: "TMDB",
  omdb: "OMDb",
  wikidata: "Wikidata",
  trakt: "Trakt",
  imdb: "IMDb",
  imdb_datasets: "IMDb datasets",
  letterboxd: "Letterboxd",
  anilist: "AniList",
  jikan: "Jikan (MyAnimeList)",
};

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source.charAt(0).toUpperCase() + source.slice(1);
}

/** The rating as its source shows it: "8.0/10", "83%", "74/100". */
export function nativeValue(rating: Pick<Rating, "name" | "value" | "scale">): string {
  const { name, value, scale } = rating;
  if (scale === 100 && name.startsWith("rotten_tomatoes") && !name.includes("average")) {
    return `${trim(value, 0)}%`;
  }
  const digits = scale <= 10 ? 1 : 0;
  return `${trim(value, digits)}/${trim(scale, 0)}`;
}

function trim(n: number, digits: number): string {
  if (digits === 0 && !Number.isInteger(n)) return String(Math.round(n * 10) / 10);
  return n.toFixed(digits);
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const full = new Intl.NumberFormat("en");

/** "812K votes" / "250 reviews"; critics' scores count reviews, audiences' count votes. */
export function votesText(rating: Pick<Rating, "name" | "votes">): string | null {
  if (rating.votes === null || rating.votes === undefined) return null;
  const noun = /rotten_tomatoes|metacritic/.test(rating.name) ? "review" : "vote";
  const n = rating.votes;
  const count = n >= 10_000 ? compact.format(n) : full.format(n);
  return `${count} ${noun}${n === 1 ? "" : "s"}`;
}

export function votesTitle(rating: Pick<Rating, "votes">): string | undefined {
  return rating.votes === null ? undefined : full.format(rating.votes);
}

export interface Band {
  key: "poor" | "mixed" | "fair" | "good" | "great";
  label: string;
}

/**
 * Score bands on a blue–orange diverging scale (safe for red–green colour blindness); the
 * band's word is always shown next to the colour, so colour is never the only cue.
 */
export function band(score: number): Band {
  if (score >= 80) return { key: "great", label: "Great" };
  if (score >= 65) return { key: "good", label: "Good" };
  if (score >= 50) return { key: "fair", label: "Fair" };
  if (score >= 35) return { key: "mixed", label: "Mixed" };
  return { key: "poor", label: "Poor" };
}

export function scoreText(score: number): string {
  return String(Math.round(score));
}

/** Where a rating lives on the web. Exact pages when the id is known, a search otherwise. */
export function ratingLink(rating: Pick<Rating, "name" | "source">, movie: Movie): string | null {
  const title = encodeURIComponent(movie.title);
  const imdb = movie.imdb_id;
  switch (rating.name) {
    case "imdb":
      return imdb ? `https://www.imdb.com/title/${imdb}/` : null;
    case "tmdb":
      return movie.tmdb_id !== null ? `https://www.themoviedb.org/movie/${movie.tmdb_id}` : null;
    case "rotten_tomatoes":
    case "rotten_tomatoes_average":
      return `https://www.rottentomatoes.com/search?search=${title}`;
    case "metacritic":
      return `https://www.metacritic.com/search/${title}/?category=2`;
    case "trakt":
      return imdb ? `https://trakt.tv/search/imdb/${imdb}` : null;
    case "letterboxd":
      return imdb ? `https://letterboxd.com/imdb/${imdb}/` : null;
    case "anilist":
      return `https://anilist.co/search/anime?search=${title}`;
    case "myanimelist":
      return `https://myanimelist.net/anime.php?q=${title}`;
    default:
      return sourceLink(rating.source, movie);
  }
}

/** The page of a film at a data source (used for "via Wikidata" and unknown ratings). */
export function sourceLink(source: string, movie: Movie): string | null {
  const imdb = movie.imdb_id;
  switch (source) {
    case "tmdb":
      return movie.tmdb_id !== null ? `https://www.themoviedb.org/movie/${movie.tmdb_id}` : null;
    case "omdb":
    case "imdb":
      return imdb ? `https://www.imdb.com/title/${imdb}/` : null;
    case "wikidata":
      return imdb
        ? `https://www.wikidata.org/w/index.php?search=${encodeURIComponent(`haswbstatement:P345=${imdb}`)}`
        : null;
    case "trakt":
      return imdb ? `https://trakt.tv/search/imdb/${imdb}` : null;
    default:
      return null;
  }
}

export interface RatingGroup {
  /** The rating that counts (highest weight), shown as the bar. */
  main: Rating;
  /** The same rating as other sources reported it (not counted twice). */
  also: Rating[];
}

/**
 * One bar per kind of rating: the same Rotten Tomatoes score reported by OMDb and by
 * Wikidata is one bar (the counted one) with the other mentioned beside it.
 */
export function groupRatings(ratings: Rating[]): RatingGroup[] {
  const groups = new Map<string, Rating[]>();
  for (const rating of ratings) {
    const list = groups.get(rating.name);
    if (list) list.push(rating);
    else groups.set(rating.name, [rating]);
  }
  return [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => b.weight - a.weight);
    const [main, ...also] = sorted as [Rating, ...Rating[]];
    return { main, also };
  });
}

/** Sources that took part (answered or failed), in a stable order. */
export function sourcesOf(result: Pick<RatingResult, "ratings" | "errors">): {
  answered: string[];
  failed: SourceError[];
  total: number;
} {
  const answered = [...new Set(result.ratings.map((r) => r.source))];
  const failed = result.errors.filter((e) => !answered.includes(e.source));
  return { answered, failed, total: answered.length + new Set(failed.map((e) => e.source)).size };
}

/** "OMDb did not answer; showing 2 of 3 sources." */
export function partialNotice(result: Pick<RatingResult, "ratings" | "errors">): string | null {
  const { answered, failed, total } = sourcesOf(result);
  if (failed.length === 0) return null;
  const names = [...new Set(failed.map((e) => sourceLabel(e.source)))];
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `${who} did not answer; showing ${answered.length} of ${total} sources.`;
}

export function runtimeText(minutes: number | null): string | null {
  if (!minutes) return null;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${m.toString().padStart(2, "0")} min` : `${m} min`;
}

/** "just now", "5 minutes ago", "3 days ago" — with the exact time in a title attribute. */
export function ago(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 45) return "just now";
  const units: [number, string][] = [
    [60, "minute"],
    [3600, "hour"],
    [86400, "day"],
    [86400 * 30, "month"],
    [86400 * 365, "year"],
  ];
  let chosen: [number, string] = units[0]!;
  for (const unit of units) if (seconds >= unit[0]) chosen = unit;
  const n = Math.max(1, Math.round(seconds / chosen[0]));
  return `${n} ${chosen[1]}${n === 1 ? "" : "s"} ago`;
}

export function exactTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
}

/** Lower-case, no accents, no punctuation: to tell whether two titles are the same. */
export function normTitle(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Films that share exactly the asked title (remakes): more than one means "which one?". */
export function sameTitle(candidates: Candidate[], title: string): Candidate[] {
  const wanted = normTitle(title);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const c of candidates) {
    const names = [c.title, c.original_title].filter((n): n is string => !!n).map(normTitle);
    if (!names.includes(wanted)) continue;
    const key = c.imdb_id ?? `${c.tmdb_id ?? ""}:${c.year ?? ""}:${normTitle(c.title)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** "critics 85 · audience 81" (either may be missing). */
export function familiesText(result: Pick<RatingResult, "critics" | "audience">): string | null {
  const parts: string[] = [];
  if (typeof result.critics === "number") parts.push(`critics ${Math.round(result.critics)}`);
  if (typeof result.audience === "number") parts.push(`audience ${Math.round(result.audience)}`);
  return parts.length ? parts.join(" · ") : null;
}

/** "The sources agree within 9 points" / "… disagree: 45 points apart". */
export function agreementText(agreement: Agreement | null | undefined): string | null {
  if (!agreement || agreement.spread === null || agreement.compared < 2) return null;
  const spread = Math.round(agreement.spread);
  if (agreement.outliers.length === 0) return `The sources agree within ${spread} points.`;
  const who = agreement.outliers.map((o) => o.label).join(" and ");
  return `The sources disagree: ${spread} points apart; ${who} ${agreement.outliers.length === 1 ? "is" : "are"} far from the others.`;
}

/** The rating of the same pool that counted instead of this one (Tomatometer → RT average). */
export function countedInstead(group: RatingGroup, groups: RatingGroup[]): Rating | null {
  if (group.main.weight > 0 || !group.main.pool) return null;
  const sibling = groups.find((g) => g !== group && g.main.pool === group.main.pool && g.main.weight > 0);
  return sibling ? sibling.main : null;
}
