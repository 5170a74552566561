// The series page: a season × episode heatmap of ratings (numbers printed in every cell, a
// legend for the colours, arrow-key navigation), the season-average line, best and worst.
import { useEffect, useRef, useState } from "react";
import type { EpisodeGrid, EpisodeRef } from "../api";
import {
  averageLine,
  averagesText,
  BANDS,
  bandOf,
  cellLabel,
  findCell,
  firstCell,
  gridSourceName,
  layout,
  moveOf,
  ratingText,
  step,
} from "../episodes";
import { sourceLabel } from "../format";
import { linkClick, movieHref } from "../router";
import { Notice } from "./States";

export function SeriesView({ grid, focus }: { grid: EpisodeGrid; focus: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { series } = grid;
  const source = gridSourceName(grid.source);
  useEffect(() => {
    document.title = `${series.title}${series.years ? ` (${series.years})` : ""} — episodes · movieagg`;
  }, [series.title, series.years]);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  const episodes = grid.seasons.reduce((n, s) => n + s.episodes.length, 0);
  const meta = [
    "TV series",
    series.years,
    series.seasons !== null ? `${series.seasons} season${series.seasons === 1 ? "" : "s"}` : null,
    `${episodes} episode${episodes === 1 ? "" : "s"}`,
  ].filter(Boolean);
  return (
    <article className="series" aria-labelledby="series-title">
      {grid.errors.length > 0 && (
        <Notice tone="warn">
          Some ratings could not be fetched:
          <ul className="series-errors">
            {grid.errors.map((e) => (
              <li key={`${e.source}-${e.message}`}>
                {sourceLabel(e.source)}: {e.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}
      <div className="series-head">
        <h1 id="series-title" ref={heading} tabIndex={-1}>
          {series.title}
        </h1>
        <p className="meta">{meta.join(" · ")}</p>
        <p className="permalink">
          <a href={movieHref(series.imdb_id)} onClick={linkClick}>
            The series' own ratings
          </a>
        </p>
      </div>
      {episodes === 0 ? (
        <p className="empty">No episode of this series has been listed by {source} yet.</p>
      ) : (
        <>
          <section aria-labelledby="grid-title">
            <h2 id="grid-title">Every episode, rated on {source}</h2>
            <Legend />
            <HeatGrid grid={grid} source={source} />
          </section>
          <SeasonLine grid={grid} />
          <div className="extremes">
            <Extremes title="Best episodes" id="best-title" items={grid.best} grid={grid} />
            <Extremes title="Worst episodes" id="worst-title" items={grid.worst} grid={grid} />
          </div>
        </>
      )}
    </article>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Colour key">
      {BANDS.map((b) => (
        <li key={b.key}>
          <span className={`swatch cell-${b.key}`} aria-hidden="true" />
          {b.label}
        </li>
      ))}
      <li>
        <span className="swatch cell-none" aria-hidden="true" />
        no rating
      </li>
      <li>
        <span className="swatch swatch-thin" aria-hidden="true" />
        few votes
      </li>
    </ul>
  );
}

function HeatGrid({ grid, source }: { grid: EpisodeGrid; source: string }) {
  const { seasons, rows, cells } = layout(grid);
  const [active, setActive] = useState<[number, number]>(() => firstCell(cells) ?? [0, 0]);
  const table = useRef<HTMLTableElement>(null);

  function onKeyDown(event: React.KeyboardEvent<HTMLTableElement>) {
    const move = moveOf(event.key, event.ctrlKey || event.metaKey);
    if (!move) return;
    event.preventDefault();
    const next = step(cells, active, move);
    setActive(next);
    table.current?.querySelector<HTMLElement>(`[data-cell="${next[0]}-${next[1]}"]`)?.focus();
  }

  return (
    <div className="grid-scroll">
      <table className="heat" role="grid" ref={table} onKeyDown={onKeyDown} aria-labelledby="grid-title">
        <caption className="sr-only">
          {source} ratings from 0 to 10, one row per episode number and one column per season. Arrow keys move
          between episodes; Enter opens one.
        </caption>
        <thead>
          <tr>
            <td className="corner" />
            {seasons.map((s) => (
              <th key={s.season} scope="col" abbr={`Season ${s.season}`}>
                S{s.season}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((n, i) => (
            <tr key={n}>
              <th scope="row" abbr={`Episode ${n}`}>
                E{n}
              </th>
              {(cells[i] ?? []).map((cell, j) => {
                const season = seasons[j]?.season ?? j;
                if (!cell) return <td key={season} className="cell-empty" />;
                const label = cellLabel(season, cell);
                const props = {
                  "data-cell": `${i}-${j}`,
                  tabIndex: active[0] === i && active[1] === j ? 0 : -1,
                  "aria-label": label,
                  title: label,
                  onFocus: () => setActive([i, j]),
                };
                const text = ratingText(cell.rating);
                return (
                  <td
                    key={season}
                    role="gridcell"
                    className={`cell cell-${bandOf(cell.rating)}${cell.thin && cell.rating !== null ? " cell-thin" : ""}`}
                  >
                    {cell.imdb_id ? (
                      <a href={movieHref(cell.imdb_id)} onClick={linkClick} {...props}>
                        {text}
                      </a>
                    ) : (
                      <span {...props}>{text}</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" abbr="Season average">
              Avg
            </th>
            {seasons.map((s) => (
              <td key={s.season} className="avg">
                {ratingText(s.average)}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

const LINE_W = 640;
const LINE_H = 180;

/** The width of an element, followed as it changes (the default where ResizeObserver is missing). */
function useWidth(fallback: number): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth - 8) || fallback));
    observer.observe(el);
    return () => observer.disconnect();
  }, [fallback]);
  return [ref, width];
}

function SeasonLine({ grid }: { grid: EpisodeGrid }) {
  const seasons = [...grid.seasons].sort((a, b) => a.season - b.season);
  const [box, available] = useWidth(LINE_W);
  // As wide as the page allows (at most LINE_W); a long series scrolls rather than crowd its points.
  const width = Math.max(Math.min(available, LINE_W), seasons.length * 28, 240);
  const { points, lo, hi } = averageLine(seasons, width, LINE_H);
  if (points.length < 2) return null;
  const every = seasons.length > 20 ? 5 : 1;
  const label = averagesText(seasons);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  return (
    <section className="season-line" aria-labelledby="line-title">
      <h2 id="line-title">Season averages</h2>
      <div className="line-scroll" ref={box} tabIndex={0} role="group" aria-labelledby="line-title">
        <svg viewBox={`0 0 ${width} ${LINE_H}`} width={width} height={LINE_H} role="img" aria-label={label}>
          <title>{label}</title>
          <text x={4} y={24 + 4} className="axis">
            {hi.toFixed(1)}
          </text>
          <text x={4} y={LINE_H - 24 + 4} className="axis">
            {lo.toFixed(1)}
          </text>
          <line x1={24} x2={width - 24} y1={24} y2={24} className="gridline" />
          <line x1={24} x2={width - 24} y1={LINE_H - 24} y2={LINE_H - 24} className="gridline" />
          <path d={path} className="line" />
          {points.map((p) => (
            <g key={p.season}>
              <circle cx={p.x} cy={p.y} r={4} className="dot" />
              {every === 1 && (
                <text x={p.x} y={p.y - 9} textAnchor="middle" className="value">
                  {ratingText(p.average)}
                </text>
              )}
              {(p.season % every === 0 || every === 1) && (
                <text x={p.x} y={LINE_H - 6} textAnchor="middle" className="axis">
                  S{p.season}
                </text>
              )}
            </g>
          ))}
        </svg>
      </div>
    </section>
  );
}

function Extremes({ title, id, items, grid }: { title: string; id: string; items: EpisodeRef[]; grid: EpisodeGrid }) {
  if (items.length === 0) return null;
  return (
    <section className="extreme" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ol>
        {items.map((e) => {
          const cell = findCell(grid, e.season, e.episode);
          const name = `S${e.season} E${e.episode}${e.title ? ` ${e.title}` : ""}`;
          return (
            <li key={`${e.season}-${e.episode}`}>
              <span className={`badge cell-${bandOf(e.rating)}`}>{ratingText(e.rating)}</span>{" "}
              {cell?.imdb_id ? (
                <a href={movieHref(cell.imdb_id)} onClick={linkClick}>
                  {name}
                </a>
              ) : (
                name
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
