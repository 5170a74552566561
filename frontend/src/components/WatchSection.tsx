import { useState } from "react";
import type { Watch, WatchProvider } from "../api";

/** Where to watch, by kind of offer, best first: logos from TMDB's image CDN with the name
 * beside each (and a lettered tile when the image cannot load, offline), credited to JustWatch
 * as TMDB's terms require. */
const KINDS: [keyof Pick<Watch, "flatrate" | "free" | "ads" | "rent" | "buy">, string][] = [
  ["flatrate", "Stream"],
  ["free", "Free"],
  ["ads", "Free with ads"],
  ["rent", "Rent"],
  ["buy", "Buy"],
];
const LOGO = "https://image.tmdb.org/t/p/";
const TMDB_PAGE = "https://www.themoviedb.org/";

export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function WatchSection({ watch }: { watch: Watch | null | undefined }) {
  if (!watch) return null;
  const link = watch.link?.startsWith(TMDB_PAGE) ? watch.link : null;
  const kinds = KINDS.filter(([key]) => (watch[key] ?? []).length > 0);
  if (kinds.length === 0) return null;
  return (
    <section className="watch" aria-labelledby="watch-title" data-testid="watch">
      <h2 id="watch-title">
        Where to watch <span className="watch-region">in {regionName(watch.region)}</span>
      </h2>
      <div className="watch-kinds">
        {kinds.map(([key, label]) => (
          <div className="watch-kind" key={key} data-kind={key}>
            <h3>{label}</h3>
            <ul className="providers">
              {watch[key].map((p) => (
                <li key={p.id}>
                  <ProviderBadge provider={p} />
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <p className="watch-credit" data-testid="watch-credit">
        Availability by{" "}
        <a href="https://www.justwatch.com/" target="_blank" rel="noopener noreferrer">
          JustWatch
        </a>
        {link && (
          <>
            {" · "}
            <a href={link} target="_blank" rel="noopener noreferrer" data-testid="watch-link">
              every offer in {regionName(watch.region)}
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          </>
        )}
      </p>
    </section>
  );
}

function ProviderBadge({ provider }: { provider: WatchProvider }) {
  const [failed, setFailed] = useState(false);
  const logo = provider.logo?.startsWith(LOGO) ? provider.logo : null;
  return (
    <span className="provider" title={provider.name}>
      {logo && !failed ? (
        <img className="provider-logo" src={logo} alt="" width={40} height={40} loading="lazy" onError={() => setFailed(true)} />
      ) : (
        <span className="provider-logo provider-fallback" aria-hidden="true" data-testid="logo-fallback">
          {provider.name.trim().charAt(0).toUpperCase() || "?"}
        </span>
      )}
      <span className="provider-name">{provider.name}</span>
    </span>
  );
}
