import { useEffect, useRef } from "react";
import { ApiError, type Suggestion } from "../api";
import { linkClick, movieHref, titleHref } from "../router";

/** A grey outline of the result while it loads; motion stops under prefers-reduced-motion. */
export function ResultSkeleton({ what }: { what: string }) {
  return (
    <section className="result skeleton" aria-busy="true" aria-labelledby="loading-title">
      <div role="status">
        <h1 id="loading-title" className="sr-only">
          Loading ratings for {what}…
        </h1>
      </div>
      <div className="result-head">
        <span className="poster poster-large sk" />
        <div className="result-id">
          <span className="sk sk-line sk-title" />
          <span className="sk sk-line sk-meta" />
          <span className="sk sk-line sk-meta short" />
        </div>
        <span className="sk sk-ring" />
      </div>
      <div className="bars">
        {[0, 1, 2, 3, 4].map((i) => (
          <div className="bar-row" key={i}>
            <span className="sk sk-line sk-label" />
            <span className="sk sk-bar" />
          </div>
        ))}
      </div>
    </section>
  );
}

interface Explained {
  title: string;
  message: string;
  retry: boolean;
}

export function explain(error: unknown, what?: string): Explained {
  if (error instanceof ApiError) {
    switch (true) {
      case error.status === 404:
        return {
          title: what ? `No film found for “${what}”` : "Nothing found",
          message: error.suggestions.length
            ? "Did you mean one of these?"
            : "Check the spelling, try the original title, or leave the year empty — sources sometimes differ by a year.",
          retry: false,
        };
      case error.status === 400:
        return { title: "That search can't be run", message: error.message, retry: false };
      case error.status === 429:
        return { title: "Too many requests", message: "Wait a few seconds, then try again.", retry: true };
      case error.status === 503 && error.code !== "http_503":
        return {
          title: "No rating source answered",
          message: `${error.message} This is usually brief — try again in a minute.`,
          retry: true,
        };
      case error.status === 0:
        return { title: "Can't reach movieagg", message: error.message, retry: true };
      default:
        return {
          title: "Something went wrong",
          message: error.status >= 500 ? "The movieagg API is unavailable right now." : error.message,
          retry: true,
        };
    }
  }
  return { title: "Something went wrong", message: "An unexpected error happened; try again.", retry: true };
}

export function ErrorState({
  error,
  what,
  title,
  message,
  onRetry,
  focus,
}: {
  error?: unknown;
  what?: string;
  title?: string;
  message?: string;
  onRetry?: () => void;
  focus?: boolean;
}) {
  const explained = error === undefined ? null : explain(error, what);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  return (
    <section className="state" role="alert" aria-labelledby="state-title">
      <svg className="state-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
        <circle cx="24" cy="24" r="20" fill="none" stroke="currentColor" strokeWidth="3" />
        <path d="M24 13v14M24 33v2" stroke="currentColor" strokeWidth="3.5" strokeLinecap="round" />
      </svg>
      <h1 id="state-title" ref={heading} tabIndex={-1}>
        {title ?? explained?.title}
      </h1>
      <p>{message ?? explained?.message}</p>
      {error instanceof ApiError && error.suggestions.length > 0 && <Suggestions items={error.suggestions} />}
      {onRetry && (explained?.retry ?? true) && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </section>
  );
}

/** "Did you mean": the nearest films, each a link to its page. */
function Suggestions({ items }: { items: Suggestion[] }) {
  return (
    <ul className="suggested" aria-label="Did you mean">
      {items.map((s, i) => (
        <li key={`${s.imdb_id ?? s.title}-${s.year}-${i}`}>
          <a href={s.imdb_id ? movieHref(s.imdb_id) : titleHref(s.title, s.year)} onClick={linkClick}>
            {s.title}
            {s.year ? ` (${s.year})` : ""}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** A calm, non-blocking note above the result (partial failures, stale data). */
export function Notice({ children, tone = "info" }: { children: React.ReactNode; tone?: "info" | "warn" }) {
  return (
    <div className={`notice notice-${tone}`} role="status">
      <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
        <circle cx="10" cy="10" r="8.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
        <path d="M10 9v5M10 6v.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <div>{children}</div>
    </div>
  );
}
