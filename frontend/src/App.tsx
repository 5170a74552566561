import { useEffect } from "react";
import { ApiError, type Candidate, type EpisodeGrid, episodes, type RatingResult, rate, rateImdb, search } from "./api";
import { Candidates } from "./components/Candidates";
import { ResultView } from "./components/ResultView";
import { SeriesView } from "./components/SeriesView";
import { SearchBox } from "./components/SearchBox";
import { ErrorState, ResultSkeleton } from "./components/States";
import { sameTitle } from "./format";
import { linkClick, type Route, titleHref, useRoute } from "./router";
import { useLoad } from "./useLoad";

const EXAMPLES: { title: string; year: number | null }[] = [
  { title: "The Matrix", year: null },
  { title: "Dune", year: null },
  { title: "Spirited Away", year: null },
  { title: "Psycho", year: 1960 },
];

export function App() {
  const { route, visit } = useRoute();
  // Move focus to the new page's heading after in-app navigation (not on first load).
  const focusOnLoad = visit > 0;
  const initial = route.kind === "title" ? route : { title: "", year: null };

  useEffect(() => {
    if (route.kind === "home") document.title = "movieagg — how good is this movie?";
  }, [route]);

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="top-inner">
          <a className="brand" href="/" onClick={linkClick} aria-label="movieagg home">
            <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
              <circle cx="16" cy="16" r="12.5" fill="none" stroke="currentColor" strokeWidth="5" />
              <circle cx="16" cy="16" r="4.5" className="brand-dot" />
            </svg>
            <span>movieagg</span>
          </a>
          <SearchBox key={`${visit}`} initialTitle={initial.title} initialYear={initial.year} />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} visit={visit} focusOnLoad={focusOnLoad} />
      </main>
      <footer className="foot">
        <p>
          One score from IMDb, Rotten Tomatoes, Metacritic, TMDB and Wikidata, each shown on the same 0–100
          axis. This product uses the TMDB API but is not endorsed or certified by TMDB.
        </p>
      </footer>
    </div>
  );
}

function Page({ route, visit, focusOnLoad }: { route: Route; visit: number; focusOnLoad: boolean }) {
  switch (route.kind) {
    case "home":
      return <Home />;
    case "title":
      return <TitlePage key={`${route.title}|${route.year}|${visit}`} {...route} focusOnLoad={focusOnLoad} />;
    case "movie":
      return <MoviePage key={`${route.imdbId}|${visit}`} imdbId={route.imdbId} focusOnLoad={focusOnLoad} />;
    case "series":
      return <SeriesPage key={`${route.imdbId}|${visit}`} imdbId={route.imdbId} focusOnLoad={focusOnLoad} />;
    case "missing":
      return (
        <ErrorState
          title="There is no page here"
          message="The address does not match anything on movieagg. Search for a film instead."
          focus={focusOnLoad}
        />
      );
  }
}

function Home() {
  return (
    <section className="home" aria-labelledby="home-title">
      <h1 id="home-title">How good is this movie?</h1>
      <p className="lede">
        One score from 0 to 100, built from IMDb, Rotten Tomatoes, Metacritic, TMDB and Wikidata — with every
        source shown on the same scale, so you can see where they agree.
      </p>
      <p className="examples">
        <span>Try</span>
        {EXAMPLES.map((e) => (
          <a key={`${e.title}${e.year}`} className="chip" href={titleHref(e.title, e.year)} onClick={linkClick}>
            {e.title}
            {e.year ? ` (${e.year})` : ""}
          </a>
        ))}
      </p>
    </section>
  );
}

type TitleOutcome = { kind: "result"; result: RatingResult } | { kind: "choose"; candidates: Candidate[] };

/** `/?title=Dune&year=2021`: without a year, remakes sharing the title are offered first. */
function TitlePage({
  title,
  year,
  focusOnLoad,
}: {
  title: string;
  year: number | null;
  focusOnLoad: boolean;
}) {
  const load = useLoad<TitleOutcome, boolean>(`${title}|${year}`, async (signal, refresh) => {
    if (refresh) return { kind: "result", result: await rate(title, year, { refresh, signal }) };
    if (year === null) {
      let found: Candidate[] = [];
      try {
        found = sameTitle(await search(title, null, signal), title);
      } catch (err) {
        if (signal.aborted) throw err;
        // Search is only a disambiguation aid: if it fails, rate by title all the same.
      }
      const years = new Set(found.map((c) => c.year));
      if (found.length > 1 && years.size > 1) return { kind: "choose", candidates: found };
    }
    return { kind: "result", result: await rate(title, year, { signal }) };
  });
  return (
    <Outcome
      load={load}
      what={year ? `${title} (${year})` : title}
      focusOnLoad={focusOnLoad}
      onRefresh={() => load.reload(true)}
      choose={(candidates) => <Candidates title={title} candidates={candidates} focus={focusOnLoad} />}
    />
  );
}

/** `/movie/tt1160419`: the film by IMDb id, no title matching. */
function MoviePage({ imdbId, focusOnLoad }: { imdbId: string; focusOnLoad: boolean }) {
  const load = useLoad<TitleOutcome, boolean>(imdbId, async (signal, refresh) => ({
    kind: "result",
    result: await rateImdb(imdbId, { refresh, signal }),
  }));
  return <Outcome load={load} what={imdbId} focusOnLoad={focusOnLoad} onRefresh={() => load.reload(true)} />;
}

/** `/series/tt0903747`: the series' season × episode grid. */
function SeriesPage({ imdbId, focusOnLoad }: { imdbId: string; focusOnLoad: boolean }) {
  const load = useLoad<EpisodeGrid>(imdbId, (signal) => episodes(imdbId, signal));
  useEffect(() => {
    if (load.status === "loading") document.title = `${imdbId} — episodes · movieagg`;
  }, [load.status, imdbId]);
  if (load.data) return <SeriesView grid={load.data} focus={focusOnLoad} />;
  if (load.status === "error") {
    const missing = load.error instanceof ApiError && load.error.status === 404;
    return (
      <ErrorState
        error={load.error}
        what={imdbId}
        title={missing ? `No series found for “${imdbId}”` : undefined}
        message={missing ? (load.error as ApiError).message : undefined}
        onRetry={() => load.reload()}
        focus={focusOnLoad}
      />
    );
  }
  return <ResultSkeleton what={`${imdbId} episodes`} />;
}

function Outcome({
  load,
  what,
  focusOnLoad,
  onRefresh,
  choose,
}: {
  load: ReturnType<typeof useLoad<TitleOutcome, boolean>>;
  what: string;
  focusOnLoad: boolean;
  onRefresh: () => void;
  choose?: (candidates: Candidate[]) => React.ReactNode;
}) {
  useEffect(() => {
    if (load.status === "loading") document.title = `${what} — movieagg`;
  }, [load.status, what]);

  if (load.data?.kind === "result") {
    return (
      <ResultView
        result={load.data.result}
        focus={focusOnLoad}
        onRefresh={onRefresh}
        refreshing={load.reloading}
        refreshError={load.status === "error" ? load.error : null}
      />
    );
  }
  if (load.data?.kind === "choose" && choose) return <>{choose(load.data.candidates)}</>;
  if (load.status === "error") {
    return <ErrorState error={load.error} what={what} onRetry={() => load.reload()} focus={focusOnLoad} />;
  }
  return <ResultSkeleton what={what} />;
}
