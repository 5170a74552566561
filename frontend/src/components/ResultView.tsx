import { useEffect, useRef } from "react";
import { type Agreement, type Movie, type RatingResult, UNCERTAIN_BELOW } from "../api";
import {
  ago,
  agreementText,
  band,
  countedInstead,
  exactTime,
  familiesText,
  groupRatings,
  nativeValue,
  partialNotice,
  ratingLink,
  runtimeText,
  scoreText,
  sourceLabel,
  sourceLink,
  sourcesOf,
  votesText,
  votesTitle,
} from "../format";
import { episodeCode } from "../episodes";
import { linkClick, movieHref, seriesHref, titleHref } from "../router";
import { HistorySection } from "./HistoryChart";
import { Poster } from "./Poster";
import { explain, Notice } from "./States";
import { WatchSection } from "./WatchSection";

export function ResultView({
  result,
  focus,
  onRefresh,
  refreshing,
  refreshError,
}: {
  result: RatingResult;
  focus: boolean;
  onRefresh: () => void;
  refreshing: boolean;
  refreshError: unknown;
}) {
  const { movie } = result;
  const heading = useRef<HTMLHeadingElement>(null);
  const groups = groupRatings(result.ratings);
  const { answered } = sourcesOf(result);
  const partial = partialNotice(result);

  useEffect(() => {
    const score = result.score === null ? "" : ` — ${scoreText(result.score)}/100`;
    document.title = `${movie.title}${movie.year ? ` (${movie.year})` : ""}${score} · movieagg`;
  }, [movie.title, movie.year, result.score]);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);

  const meta = [movie.year ? String(movie.year) : null, runtimeText(movie.runtime)].filter(Boolean);
  return (
    <article className="result" aria-labelledby="result-title" aria-busy={refreshing || undefined}>
      {result.stale && (
        <Notice tone="warn">
          The sources did not answer just now, so these are the ratings saved{" "}
          <time dateTime={result.fetched_at} title={exactTime(result.fetched_at)}>
            {ago(result.fetched_at)}
          </time>
          .
        </Notice>
      )}
      {partial && (
        <Notice>
          {partial}
          <details className="notice-details">
            <summary>Details</summary>
            <ul>
              {result.errors.map((e) => (
                <li key={`${e.source}-${e.message}`}>
                  {sourceLabel(e.source)}: {e.message}
                </li>
              ))}
            </ul>
          </details>
        </Notice>
      )}
      {refreshError ? <Notice tone="warn">Refreshing failed: {explain(refreshError).message}</Notice> : null}
      <UncertainMatch result={result} />

      <div className="result-head">
        <Poster url={movie.poster_url} title={movie.title} size="large" />
        <div className="result-id">
          <h1 id="result-title" ref={heading} tabIndex={-1}>
            {movie.title}
          </h1>
          {movie.original_title && movie.original_title !== movie.title && (
            <p className="original" lang="">
              {movie.original_title}
            </p>
          )}
          {meta.length > 0 && <p className="meta">{meta.join(" · ")}</p>}
          <KindLine result={result} />
          {movie.director && (
            <p className="meta">
              Directed by <span className="director">{movie.director}</span>
            </p>
          )}
          <p className="fetched">
            <span className={`pill ${result.cached ? "pill-cached" : "pill-fresh"}`}>
              {result.stale ? "Saved copy" : result.cached ? "From cache" : "Fresh"}
            </span>{" "}
            fetched{" "}
            <time dateTime={result.fetched_at} title={exactTime(result.fetched_at)}>
              {ago(result.fetched_at)}
            </time>
            <button type="button" className="link-button" onClick={onRefresh} disabled={refreshing}>
              {refreshing ? "Refreshing…" : "Refresh"}
            </button>
          </p>
          <MatchLine result={result} />
          {movie.imdb_id && (
            <p className="permalink">
              <a href={movieHref(movie.imdb_id)} onClick={linkClick}>
                Link to this {result.kind === "series" ? "series" : result.kind === "episode" ? "episode" : "film"}
              </a>
            </p>
          )}
        </div>
        <ScoreGauge
          score={result.score}
          ratings={groups.filter((g) => g.main.weight > 0).length || groups.length}
          sources={answered.length}
          families={familiesText(result)}
        />
      </div>

      <section className="ratings" aria-labelledby="ratings-title">
        <h2 id="ratings-title">Every rating on one scale</h2>
        {groups.length === 0 ? (
          <p className="empty">
            No source has rated this film yet — new releases often have no scores for a while.
          </p>
        ) : (
          <>
            <RatingBars groups={groups} movie={movie} score={result.score} agreement={result.agreement ?? null} />
            <AgreementNote agreement={result.agreement ?? null} />
          </>
        )}
      </section>

      <WatchSection watch={result.watch} />

      {movie.imdb_id && <HistorySection imdbId={movie.imdb_id} key={`${movie.imdb_id}-${result.fetched_at}`} />}
    </article>
  );
}

const R = 54;
const CIRCUMFERENCE = 2 * Math.PI * R;

/** The film may not be the one meant: said plainly, with the reasons and the other films. */
function UncertainMatch({ result }: { result: RatingResult }) {
  const match = result.match;
  if (!match || match.confidence >= UNCERTAIN_BELOW) return null;
  const others = result.alternatives ?? [];
  return (
    <Notice tone="warn">
      <div data-testid="match-warning">
        <strong>Not sure this is the film you mean</strong> (match {Math.round(match.confidence * 100)}%).
        <ul className="match-reasons">
          {match.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        {others.length > 0 && (
          <p>
            Also titled “{result.movie.title}”:{" "}
            {others.map((m, i) => (
              <span key={`${m.imdb_id ?? m.tmdb_id ?? i}-${m.year}`}>
                {i > 0 && ", "}
                <a href={m.imdb_id ? movieHref(m.imdb_id) : titleHref(m.title, m.year)} onClick={linkClick}>
                  {m.title}
                  {m.year ? ` (${m.year})` : ""}
                </a>
              </span>
            ))}
          </p>
        )}
      </div>
    </Notice>
  );
}

/**
 * What the answer is about, when it is not a film (#16): "TV series · 2008–2013 · 5 seasons"
 * or "S05E14 of Breaking Bad", each with a link to the series' episode grid.
 */
export function KindLine({ result }: { result: RatingResult }) {
  const { kind } = result;
  const tv = result.tv ?? null;
  if (kind === "series") {
    const id = result.movie.imdb_id;
    const parts = [
      "TV series",
      tv?.years ?? null,
      tv?.seasons != null ? `${tv.seasons} season${tv.seasons === 1 ? "" : "s"}` : null,
      tv?.episodes != null ? `${tv.episodes} episode${tv.episodes === 1 ? "" : "s"}` : null,
      tv?.networks.length ? tv.networks.join(", ") : null,
    ].filter(Boolean);
    return (
      <p className="meta kind" data-testid="kind">
        {parts.join(" · ")}
        {tv?.creators.length ? ` · created by ${tv.creators.join(", ")}` : null}
        {id && (
          <>
            {" · "}
            <a href={seriesHref(id)} onClick={linkClick}>
              Every episode, rated
            </a>
          </>
        )}
      </p>
    );
  }
  if (kind === "episode") {
    const code = tv?.season != null && tv.episode != null ? episodeCode(tv.season, tv.episode) : "An episode";
    const series = tv?.series ?? null;
    return (
      <p className="meta kind" data-testid="kind">
        {code} of{" "}
        {series ? (
          <>
            <a href={movieHref(series.imdb_id)} onClick={linkClick}>
              {series.title ?? series.imdb_id}
            </a>
            {" · "}
            <a href={seriesHref(series.imdb_id)} onClick={linkClick}>
              All its episodes
            </a>
          </>
        ) : (
          "a TV series"
        )}
      </p>
    );
  }
  return null;
}

/** "Match 98%": how sure, with the reasons one click away. */
function MatchLine({ result }: { result: RatingResult }) {
  const match = result.match;
  if (!match) return null;
  const percent = Math.round(match.confidence * 100);
  const how = match.method === "pin" ? "pinned" : match.method === "title" ? "by title" : "by id";
  return (
    <details className={`match ${match.confidence < UNCERTAIN_BELOW ? "match-low" : ""}`} data-testid="match">
      <summary>
        Match {percent}% <span className="match-how">({how})</span>
      </summary>
      <ul className="match-reasons">
        {match.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </details>
  );
}

function AgreementNote({ agreement }: { agreement: Agreement | null }) {
  const text = agreementText(agreement);
  if (!text) return null;
  const split = (agreement?.outliers.length ?? 0) > 0;
  return (
    <p className={`agreement ${split ? "agreement-split" : ""}`} data-testid="agreement">
      {text}
    </p>
  );
}

export function ScoreGauge({
  score,
  ratings,
  sources,
  families = null,
}: {
  score: number | null;
  ratings: number;
  sources: number;
  families?: string | null;
}) {
  if (score === null) {
    return (
      <div className="gauge gauge-none" role="img" aria-label="No score yet">
        <span className="gauge-number">–</span>
        <span className="gauge-caption">No score yet</span>
      </div>
    );
  }
  const b = band(score);
  const fraction = Math.max(0, Math.min(100, score)) / 100;
  return (
    <figure className={`gauge band-${b.key}`} aria-label={`Score ${scoreText(score)} out of 100: ${b.label}`}>
      <svg viewBox="0 0 128 128" aria-hidden="true">
        <circle className="gauge-track" cx="64" cy="64" r={R} />
        <circle
          className="gauge-fill"
          cx="64"
          cy="64"
          r={R}
          strokeDasharray={`${CIRCUMFERENCE * fraction} ${CIRCUMFERENCE}`}
          transform="rotate(-90 64 64)"
        />
      </svg>
      <div className="gauge-center" aria-hidden="true">
        <span className="gauge-number" data-testid="score">
          {scoreText(score)}
        </span>
        <span className="gauge-of">/100</span>
      </div>
      <figcaption>
        <span className="gauge-band">{b.label}</span>
        {families && (
          <span className="gauge-families" data-testid="families">
            {families}
          </span>
        )}
        <span className="gauge-caption">
          from {ratings} rating{ratings === 1 ? "" : "s"} · {sources} source{sources === 1 ? "" : "s"}
        </span>
      </figcaption>
    </figure>
  );
}

function RatingBars({
  groups,
  movie,
  score,
  agreement,
}: {
  groups: ReturnType<typeof groupRatings>;
  movie: Movie;
  score: number | null;
  agreement: Agreement | null;
}) {
  const far = new Map((agreement?.outliers ?? []).map((o) => [`${o.name}|${o.source}`, o]));
  return (
    <div className="bars-wrap">
      <div className="axis" aria-hidden="true">
        {[0, 25, 50, 75, 100].map((t) => (
          <span key={t} style={{ "--pos": t / 100 } as React.CSSProperties}>
            {t}
          </span>
        ))}
      </div>
      {score !== null && (
        <div className="score-line" aria-hidden="true" style={{ "--pos": score / 100 } as React.CSSProperties}>
          <span>score {scoreText(score)}</span>
        </div>
      )}
      <ul className="bars">
        {groups.map((group) => {
          const { main, also } = group;
          const href = ratingLink(main, movie);
          const b = band(main.normalized);
          const votes = votesText(main);
          const outlier = far.get(`${main.name}|${main.source}`);
          const instead = countedInstead(group, groups);
          return (
            <li
              className={`bar-row band-${b.key}${outlier ? " bar-outlier" : ""}${main.weight > 0 ? "" : " bar-uncounted"}`}
              key={main.name}
              data-rating={main.name}
              data-outlier={outlier ? "true" : undefined}
            >
              <div className="bar-label">
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer">
                    {main.label}
                    <span className="sr-only"> (opens in a new tab)</span>
                  </a>
                ) : (
                  <span>{main.label}</span>
                )}
                <span className="bar-via">via {sourceLabel(main.source)}</span>
                {outlier && (
                  <span className="bar-far" title={`The other ratings centre around ${Math.round(outlier.centre)}`}>
                    far from the others
                  </span>
                )}
              </div>
              <div
                className="bar"
                role="meter"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={main.normalized}
                aria-valuetext={`${nativeValue(main)}, ${Math.round(main.normalized)} out of 100`}
                aria-label={main.label}
              >
                <span className="bar-fill" style={{ width: `${Math.max(0, Math.min(100, main.normalized))}%` }} />
              </div>
              <div className="bar-value">
                <span className="native">{nativeValue(main)}</span>
                {votes && (
                  <span className="votes" title={votesTitle(main)}>
                    {votes}
                  </span>
                )}
              </div>
              {instead && (
                <p className="bar-also">
                  Same reviews as {instead.label} — counted once, as that.
                </p>
              )}
              {also.length > 0 && (
                <p className="bar-also">
                  Also reported by{" "}
                  {also.map((a, i) => {
                    const link = sourceLink(a.source, movie);
                    const text = `${sourceLabel(a.source)}: ${nativeValue(a)}${a.votes ? ` (${votesText(a)})` : ""}`;
                    return (
                      <span key={`${a.source}-${i}`}>
                        {i > 0 && ", "}
                        {link ? (
                          <a href={link} target="_blank" rel="noopener noreferrer">
                            {text}
                          </a>
                        ) : (
                          text
                        )}
                      </span>
                    );
                  })}{" "}
                  — counted once.
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
