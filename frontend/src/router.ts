// A tiny router over the History API: a few routes, shareable URLs, back/forward.
import { useEffect, useState } from "react";

export type Route =
  | { kind: "home" }
  | { kind: "title"; title: string; year: number | null }
  | { kind: "movie"; imdbId: string }
  | { kind: "series"; imdbId: string }
  | { kind: "missing"; path: string };

const IMDB_RE = /^tt\d{7,8}$/;

export function parseRoute(loc: { pathname: string; search: string }): Route {
  const path = loc.pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/index.html") {
    const params = new URLSearchParams(loc.search);
    const title = (params.get("title") ?? params.get("q") ?? "").trim();
    if (!title) return { kind: "home" };
    const yearText = (params.get("year") ?? "").trim();
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : null;
    return { kind: "title", title, year };
  }
  const page = /^\/(movie|series)\/([^/]+)$/.exec(path);
  if (page?.[1] && page[2]) {
    let id = "";
    try {
      id = decodeURIComponent(page[2]).toLowerCase();
    } catch {
      id = ""; // a malformed %-escape: not an id
    }
    if (IMDB_RE.test(id)) return { kind: page[1] === "series" ? "series" : "movie", imdbId: id };
  }
  return { kind: "missing", path };
}

export function titleHref(title: string, year: number | null): string {
  const params = new URLSearchParams({ title });
  if (year !== null) params.set("year", String(year));
  return `/?${params.toString()}`;
}

export function movieHref(imdbId: string): string {
  return `/movie/${imdbId}`;
}

/** The series' season × episode grid. */
export function seriesHref(imdbId: string): string {
  return `/series/${imdbId}`;
}

const EVENT = "movieagg:navigate";

/** Go to an in-app URL (pushState) and let every useRoute() know. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (href === current && !options.replace) {
    window.dispatchEvent(new Event(EVENT)); // same URL again: still re-run (e.g. retry)
    return;
  }
  if (options.replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new Event(EVENT));
}

/** The current route plus a counter that changes on every navigation (to re-run effects). */
export function useRoute(): { route: Route; visit: number } {
  const [state, setState] = useState(() => ({ route: parseRoute(window.location), visit: 0 }));
  useEffect(() => {
    const update = () => setState((s) => ({ route: parseRoute(window.location), visit: s.visit + 1 }));
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return state;
}

/** onClick for <a href> inside the app: plain left clicks navigate without a page load. */
export function linkClick(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.currentTarget;
  if (anchor.target && anchor.target !== "_self") return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
