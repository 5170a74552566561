// The movieagg REST API as the front end sees it. Shapes follow `movieagg rate --json`
// (movieagg/core/models.py RatingResult.to_dict) and the handler's error body
// {"error": {"code", "message"}}.

export interface Movie {
  title: string;
  year: number | null;
  imdb_id: string | null;
  tmdb_id: number | null;
  original_title: string | null;
  poster_url: string | null;
  runtime: number | null;
  director: string | null;
}

export interface Rating {
  name: string;
  label: string;
  value: number;
  scale: number;
  normalized: number;
  votes: number | null;
  source: string;
  /** Its share of the score (0–1); 0 when another copy or another rating of its pool counted. */
  weight: number;
  /** The pool of reviews or votes it is drawn from (schema 1.0; absent from older servers). */
  pool?: string;
  family?: "critics" | "audience";
}

/** How sure the answer is about which film it is, and why (below 0.6: uncertain). */
export interface Match {
  confidence: number;
  method: "title" | "imdb_id" | "tmdb_id" | "pin" | string;
  reasons: string[];
}

export interface Outlier {
  name: string;
  label: string;
  source: string;
  normalized: number;
  centre: number;
  distance: number;
}

export interface Agreement {
  spread: number | null;
  range: [number, number] | null;
  compared: number;
  outliers: Outlier[];
}

export interface Alternative {
  title: string;
  year: number | null;
  imdb_id: string | null;
  tmdb_id: number | null;
}

/** A film offered when nothing matched ("did you mean"). */
export interface Suggestion {
  title: string;
  year: number | null;
  imdb_id: string | null;
}

export const UNCERTAIN_BELOW = 0.6;

export interface SourceError {
  source: string;
  message: string;
}

/** What a rating answer is about (#16); absent from servers before series: a film. */
export type TitleKind = "movie" | "series" | "episode";

/** A series as the API names it: in the episode grid, and (#16) beside a series or episode answer. */
export interface SeriesInfo {
  imdb_id: string;
  title: string;
  /** "2008–2013"; a running series "2014–". */
  years: string | null;
  seasons: number | null;
}

/** A series' facts, or an episode's place in its series (schema 1.1 "tv", core/tvinfo.py). */
export interface TVInfo {
  years: string | null;
  seasons: number | null;
  episodes: number | null;
  networks: string[];
  creators: string[];
  /** An episode's season and number. */
  season: number | null;
  episode: number | null;
  /** An episode's series. */
  series: { imdb_id: string; title: string | null } | null;
}

export interface RatingResult {
  schema_version?: string;
  /** movie, series or episode (schema 1.1; absent before: a film). */
  kind?: TitleKind;
  /** null for a film. */
  tv?: TVInfo | null;
  query: { title: string; year: number | null };
  movie: Movie;
  ratings: Rating[];
  score: number | null;
  critics?: number | null;
  audience?: number | null;
  score_version?: string;
  /** The user's weights in effect (server-wide MOVIEAGG_WEIGHTS), by rating pool or family. */
  weights?: Record<string, number>;
  errors: SourceError[];
  cached: boolean;
  stale: boolean;
  fetched_at: string;
  alternatives?: Alternative[];
  match?: Match | null;
  agreement?: Agreement | null;
  /** Where to watch in one country (JustWatch's data via TMDB); null without TMDB or offers. */
  watch?: Watch | null;
}

/** A streaming service, shop or free channel; `logo` is on TMDB's image CDN (92 px wide). */
export interface WatchProvider {
  name: string;
  logo: string | null;
  id: number;
}

export interface Watch {
  region: string;
  /** TMDB's page of the offers (it links on to JustWatch). */
  link: string | null;
  flatrate: WatchProvider[];
  rent: WatchProvider[];
  buy: WatchProvider[];
  free: WatchProvider[];
  ads: WatchProvider[];
  attribution: string;
}

/** The country of the browser's first language ("en-GB" → "GB"), or null to use the server's. */
export function browserRegion(languages: readonly string[] = navigator.languages ?? [navigator.language]): string | null {
  for (const tag of languages) {
    const region = tag.split("-").slice(1).find((part) => /^[A-Za-z]{2}$/.test(part));
    if (region) return region.toUpperCase();
  }
  return null;
}

export interface Candidate {
  title: string;
  year: number | null;
  imdb_id: string | null;
  tmdb_id: number | null;
  original_title: string | null;
  poster_url: string | null;
  votes: number | null;
  source: string;
}

export interface Observation {
  source: string;
  name: string;
  label: string;
  value: number;
  scale: number;
  normalized: number;
  votes: number | null;
  fetched_at: string;
}

/** One cell of the episode grid: a rating on 0–10 from the grid's source. */
export interface EpisodeCell {
  episode: number;
  imdb_id: string | null;
  title: string | null;
  air_date: string | null;
  rating: number | null;
  votes: number | null;
  /** Rated by few people: shown, but marked. */
  thin: boolean;
}

export interface SeasonRow {
  season: number;
  /** Mean of the season's rated episodes. */
  average: number | null;
  episodes: EpisodeCell[];
}

export interface EpisodeRef {
  season: number;
  episode: number;
  title: string | null;
  rating: number;
}

/** GET /api/series/{imdb_id}/episodes (core/schema/episode-grid.json, version 1.x). */
export interface EpisodeGrid {
  schema_version: string;
  series: SeriesInfo;
  source: string;
  seasons: SeasonRow[];
  best: EpisodeRef[];
  worst: EpisodeRef[];
  errors: (SourceError & { code?: string })[];
  cached?: boolean;
}

/** A failed API call: HTTP status (0 = no answer at all), the API's error code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** With a 404: the films nearest to what was asked ("did you mean"), best first. */
  readonly suggestions: Suggestion[];

  constructor(status: number, code: string, message: string, suggestions: Suggestion[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.suggestions = suggestions;
  }
}

function suggestionsOf(error: { suggestions?: unknown } | undefined): Suggestion[] {
  const list = error?.suggestions;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (s): s is Suggestion =>
      !!s && typeof s === "object" && typeof (s as Suggestion).title === "string" && (s as Suggestion).title !== "",
  );
}

const TIMEOUT_MS = 30_000;

/** True for the rejection of a request the caller cancelled itself (not worth showing). */
export function isAbort(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "AbortError";
}

async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, TIMEOUT_MS);
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let response: Response;
  try {
    response = await fetch(path, { signal: controller.signal, headers: { Accept: "application/json" } });
  } catch (err) {
    if (signal?.aborted) throw err; // the caller moved on: not an error to show
    if (timedOut) throw new ApiError(0, "timeout", "The movieagg API took too long to answer.");
    throw new ApiError(0, "network", "Could not reach the movieagg API. Check your connection and try again.");
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  let body: unknown = null;
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("json")) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown; suggestions?: unknown } } | null)?.error;
    const code = typeof error?.code === "string" ? error.code : `http_${response.status}`;
    const message =
      typeof error?.message === "string" && error.message
        ? error.message
        : defaultMessage(response.status);
    throw new ApiError(response.status, code, message, suggestionsOf(error));
  }
  if (body === null) {
    throw new ApiError(response.status, "malformed", "The movieagg API sent an unexpected answer.");
  }
  return body as T;
}

function defaultMessage(status: number): string {
  if (status === 404) return "Nothing found.";
  if (status === 429) return "Too many requests; wait a moment and try again.";
  if (status >= 500) return "The movieagg API is unavailable right now.";
  return `The request failed (HTTP ${status}).`;
}

function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "" || value === false) continue;
    search.set(key, value === true ? "1" : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function rate(
  title: string,
  year: number | null,
  options: { refresh?: boolean; signal?: AbortSignal } = {},
): Promise<RatingResult> {
  const region = browserRegion();
  return getJSON<RatingResult>(`/api/rate${qs({ title, year, refresh: options.refresh, region })}`, options.signal);
}

export function rateImdb(
  imdbId: string,
  options: { refresh?: boolean; signal?: AbortSignal } = {},
): Promise<RatingResult> {
  return getJSON<RatingResult>(
    `/api/movies/${encodeURIComponent(imdbId)}${qs({ refresh: options.refresh, region: browserRegion() })}`,
    options.signal,
  );
}

/** A series' season × episode grid of ratings. */
export async function episodes(imdbId: string, signal?: AbortSignal): Promise<EpisodeGrid> {
  const body = await getJSON<EpisodeGrid>(`/api/series/${encodeURIComponent(imdbId)}/episodes`, signal);
  if (!body || typeof body !== "object" || !Array.isArray(body.seasons) || !body.series) {
    throw new ApiError(200, "malformed", "The movieagg API sent an unexpected answer.");
  }
  return { ...body, best: body.best ?? [], worst: body.worst ?? [], errors: body.errors ?? [] };
}

/** Candidate films; accepts a bare list or an object wrapping it ({candidates|results: [...]}). */
export async function search(q: string, year: number | null, signal?: AbortSignal): Promise<Candidate[]> {
  const body = await getJSON<unknown>(`/api/search${qs({ q, year })}`, signal);
  return listFrom<Candidate>(body, ["candidates", "results", "items"]).filter(
    (c) => c && typeof c.title === "string",
  );
}

/** Rating observations over time, oldest first; tolerant of a bare list or a wrapping object. */
export async function history(imdbId: string, signal?: AbortSignal): Promise<Observation[]> {
  const body = await getJSON<unknown>(`/api/movies/${encodeURIComponent(imdbId)}/history`, signal);
  return listFrom<Observation>(body, ["observations", "history", "items"]).filter(
    (o) => o && typeof o.fetched_at === "string" && typeof o.normalized === "number",
  );
}

function listFrom<T>(body: unknown, keys: string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    for (const key of keys) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}
