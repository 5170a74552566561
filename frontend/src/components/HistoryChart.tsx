import { type Observation, history } from "../api";
import { exactTime } from "../format";
import { useLoad } from "../useLoad";

// Okabe–Ito colours (distinguishable with every common colour-vision deficiency), and a
// different marker per series so colour is never the only cue.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7A7A7A"];
const MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle"] as const;

export interface Series {
  name: string;
  label: string;
  points: { t: number; at: string; value: number; source: string }[];
}

/** One series per rating (IMDb, Rotten Tomatoes …), time-ordered; duplicates by time merged. */
export function toSeries(observations: Observation[]): Series[] {
  const byName = new Map<string, Series>();
  for (const o of observations) {
    const t = Date.parse(o.fetched_at);
    if (!Number.isFinite(t)) continue;
    let s = byName.get(o.name);
    if (!s) {
      s = { name: o.name, label: o.label || o.name, points: [] };
      byName.set(o.name, s);
    }
    if (!s.points.some((p) => p.t === t)) s.points.push({ t, at: o.fetched_at, value: o.normalized, source: o.source });
  }
  const list = [...byName.values()];
  for (const s of list) s.points.sort((a, b) => a.t - b.t);
  return list;
}

/** There is history once some rating was observed at two different times. */
export function hasHistory(series: Series[]): boolean {
  return series.some((s) => s.points.length >= 2);
}

export function HistorySection({ imdbId }: { imdbId: string }) {
  const load = useLoad(imdbId, (signal) => history(imdbId, signal));
  if (load.status !== "done") return null; // optional extra: no skeleton, no error noise
  const series = toSeries(load.data);
  if (!hasHistory(series)) return null;
  return (
    <section className="history" aria-labelledby="history-title">
      <h2 id="history-title">Ratings over time</h2>
      <HistoryChart series={series} />
    </section>
  );
}

const W = 760;
const H = 220;
const PAD = { top: 12, right: 16, bottom: 28, left: 36 };
const DAY = 86_400_000;

function timeFormat(span: number): Intl.DateTimeFormat {
  if (span < 2 * DAY) return new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  if (span < 300 * DAY) return new Intl.DateTimeFormat("en", { month: "short", day: "numeric" });
  return new Intl.DateTimeFormat("en", { year: "numeric", month: "short" });
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, colour: string, key: string) {
  const r = 4;
  switch (kind) {
    case "square":
      return <rect key={key} x={x - r} y={y - r} width={2 * r} height={2 * r} fill={colour} />;
    case "triangle":
      return <path key={key} d={`M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}Z`} fill={colour} />;
    case "diamond":
      return <path key={key} d={`M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z`} fill={colour} />;
    default:
      return <circle key={key} cx={x} cy={y} r={r} fill={colour} />;
  }
}

export function HistoryChart({ series }: { series: Series[] }) {
  const times = series.flatMap((s) => s.points.map((p) => p.t));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = t1 - t0 || 1;
  const x = (t: number) => PAD.left + ((t - t0) / span) * (W - PAD.left - PAD.right);
  // Zoom the 0–100 axis to the observed range (a 2-point change must be visible), at least 20 wide.
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  let lo = Math.max(0, Math.floor((Math.min(...values) - 5) / 10) * 10);
  let hi = Math.min(100, Math.ceil((Math.max(...values) + 5) / 10) * 10);
  if (hi - lo < 20) [lo, hi] = hi >= 20 ? [hi - 20, hi] : [0, 20];
  const step = hi - lo > 50 ? 25 : hi - lo > 20 ? 10 : 5;
  const grid: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) grid.push(v);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const dateFmt = timeFormat(span);
  const ticks = [t0, t0 + span / 2, t1].filter((t, i, all) => i === 0 || dateFmt.format(t) !== dateFmt.format(all[i - 1]!));
  const summary = series
    .map((s) => {
      const first = s.points[0]!;
      const last = s.points.at(-1)!;
      return `${s.label} from ${Math.round(first.value)} to ${Math.round(last.value)}`;
    })
    .join("; ");

  return (
    <figure className="chart">
      {/* On a phone the chart scrolls sideways; focusable so keyboard users can scroll it too. */}
      <div className="chart-scroll" tabIndex={0} role="group" aria-label="Chart of ratings over time">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Ratings over time, on the 0 to 100 scale: ${summary}.`}>
        {grid.map((v) => (
          <g key={v} className="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {ticks.map((t, i) => (
          <text
            key={i}
            className="tick"
            x={x(t)}
            y={H - 8}
            textAnchor={i === 0 ? "start" : i === ticks.length - 1 ? "end" : "middle"}
          >
            {dateFmt.format(t)}
          </text>
        ))}
        {series.map((s, i) => {
          const colour = COLOURS[i % COLOURS.length]!;
          const kind = MARKERS[i % MARKERS.length]!;
          const d = s.points.map((p, j) => `${j ? "L" : "M"}${x(p.t).toFixed(1)} ${y(p.value).toFixed(1)}`).join("");
          return (
            <g key={s.name} className="series">
              <path d={d} fill="none" stroke={colour} strokeWidth="2.5" strokeLinejoin="round" />
              {s.points.map((p, j) => marker(kind, x(p.t), y(p.value), colour, `${s.name}-${j}`))}
            </g>
          );
        })}
      </svg>
      </div>
      <figcaption>
        <ul className="legend">
          {series.map((s, i) => {
            const last = s.points.at(-1)!;
            return (
              <li key={s.name}>
                <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
                  {marker(MARKERS[i % MARKERS.length]!, 7, 7, COLOURS[i % COLOURS.length]!, "m")}
                </svg>
                {s.label} <span className="legend-last">{Math.round(last.value)}</span>
              </li>
            );
          })}
        </ul>
        <details>
          <summary>Show as a table</summary>
          <table className="history-table">
            <thead>
              <tr>
                <th scope="col">Rating</th>
                <th scope="col">Fetched</th>
                <th scope="col">Score (0–100)</th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.map((p) => (
                  <tr key={`${s.name}-${p.t}`}>
                    <th scope="row">{s.label}</th>
                    <td>{exactTime(p.at)}</td>
                    <td>{Math.round(p.value * 10) / 10}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
