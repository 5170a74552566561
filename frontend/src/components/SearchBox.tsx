import { useEffect, useId, useRef, useState } from "react";
import { type Candidate, isAbort, search } from "../api";
import { movieHref, navigate, titleHref } from "../router";
import { Poster } from "./Poster";

export const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;
const MIN_YEAR = 1870;
const MAX_YEAR = 2100;

type Suggest =
  | { status: "idle" }
  | { status: "loading"; query: string }
  | { status: "done"; query: string; items: Candidate[] }
  | { status: "error"; query: string };

/** Where choosing a candidate goes: its IMDb page when known, else title + year. */
export function candidateHref(c: Candidate): string {
  return c.imdb_id ? movieHref(c.imdb_id) : titleHref(c.title, c.year);
}

function parseYear(text: string): { year: number | null; error: string | null } {
  const t = text.trim();
  if (!t) return { year: null, error: null };
  if (!/^\d{4}$/.test(t)) return { year: null, error: "Enter a year as four digits, like 2021." };
  const year = Number(t);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return { year: null, error: `Enter a year between ${MIN_YEAR} and ${MAX_YEAR}.` };
  }
  return { year, error: null };
}

/**
 * The search form: a combobox (ARIA 1.2 pattern) with debounced suggestions from
 * /api/search, a year filter, and a submit that goes to the shareable /?title=&year= URL.
 */
export function SearchBox({ initialTitle, initialYear }: { initialTitle: string; initialYear: number | null }) {
  const id = useId();
  const listId = `${id}-list`;
  const [title, setTitle] = useState(initialTitle);
  const [yearText, setYearText] = useState(initialYear ? String(initialYear) : "");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [suggest, setSuggest] = useState<Suggest>({ status: "idle" });
  const [titleError, setTitleError] = useState<string | null>(null);
  const [yearError, setYearError] = useState<string | null>(null);
  const typed = useRef(false); // suggestions only after the user typed, not for a prefilled box
  const cache = useRef(new Map<string, Candidate[]>());

  const { year } = parseYear(yearText);
  const query = title.trim();
  const key = `${query.toLowerCase()}|${year ?? ""}`;

  useEffect(() => {
    if (!typed.current || query.length < MIN_CHARS) {
      setSuggest({ status: "idle" });
      return;
    }
    const hit = cache.current.get(key);
    if (hit) {
      setSuggest({ status: "done", query, items: hit });
      return;
    }
    const controller = new AbortController();
    setSuggest({ status: "loading", query });
    const timer = setTimeout(() => {
      search(query, year, controller.signal).then(
        (items) => {
          const top = items.slice(0, 8);
          cache.current.set(key, top);
          setSuggest({ status: "done", query, items: top });
        },
        (err: unknown) => {
          if (!isAbort(err)) setSuggest({ status: "error", query });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, query, year]);

  const items = suggest.status === "done" ? suggest.items : [];
  const expanded = open && suggest.status !== "idle";
  const activeItem = expanded && active >= 0 ? items[active] : undefined;

  function choose(c: Candidate) {
    setOpen(false);
    setActive(-1);
    setTitle(c.title);
    if (c.year) setYearText(String(c.year));
    navigate(candidateHref(c));
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (activeItem) return choose(activeItem);
    const parsed = parseYear(yearText);
    const missing = query ? null : "Type the title of a film.";
    setTitleError(missing);
    setYearError(parsed.error);
    if (missing || parsed.error) return;
    setOpen(false);
    navigate(titleHref(query, parsed.year));
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        setOpen(true);
        if (items.length) setActive((a) => (a + 1) % items.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        setOpen(true);
        if (items.length) setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
        break;
      case "Escape":
        if (expanded) {
          event.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (title) {
          event.preventDefault();
          setTitle("");
        }
        break;
      case "Tab":
        setOpen(false);
        break;
    }
  }

  let status = "";
  if (expanded && suggest.status === "done") {
    status = items.length
      ? `${items.length} suggestion${items.length === 1 ? "" : "s"}; use the up and down arrows to choose.`
      : `No films match “${suggest.query}”.`;
  }

  return (
    <form className="search" role="search" onSubmit={submit} noValidate>
      <div className="field field-title">
        <label htmlFor={`${id}-title`}>Film title</label>
        <div className="combo">
          <input
            id={`${id}-title`}
            type="text"
            role="combobox"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            enterKeyHint="search"
            placeholder="e.g. Dune"
            maxLength={200}
            value={title}
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls={listId}
            aria-activedescendant={activeItem ? `${listId}-${active}` : undefined}
            aria-invalid={titleError ? true : undefined}
            aria-describedby={titleError ? `${id}-title-error` : undefined}
            onChange={(e) => {
              typed.current = true;
              setTitle(e.target.value);
              setTitleError(null);
              setOpen(true);
              setActive(-1);
            }}
            onKeyDown={onKeyDown}
            onFocus={() => typed.current && setOpen(true)}
            onBlur={() => setOpen(false)}
          />
          <ul
            id={listId}
            role="listbox"
            aria-label="Suggestions"
            className="suggestions"
            hidden={!expanded}
          >
            {suggest.status === "loading" && (
              <li className="suggestion-note" role="presentation">
                Searching…
              </li>
            )}
            {suggest.status === "error" && (
              <li className="suggestion-note" role="presentation">
                Suggestions are unavailable; press Enter to search.
              </li>
            )}
            {suggest.status === "done" && items.length === 0 && (
              <li className="suggestion-note" role="presentation">
                No films match “{suggest.query}”.
              </li>
            )}
            {items.map((c, i) => (
              <li
                key={`${c.imdb_id ?? c.tmdb_id ?? c.title}-${c.year}-${i}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className="suggestion"
                onMouseDown={(e) => e.preventDefault()} // keep focus in the input
                onClick={() => choose(c)}
                onMouseMove={() => active !== i && setActive(i)}
              >
                <Poster url={c.poster_url} title={c.title} size="thumb" />
                <span className="suggestion-text">
                  <span className="suggestion-title">{c.title}</span>
                  <span className="suggestion-meta">
                    {c.year ?? "year unknown"}
                    {c.original_title && c.original_title !== c.title ? ` · ${c.original_title}` : ""}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        </div>
        {titleError && (
          <p className="field-error" id={`${id}-title-error`}>
            {titleError}
          </p>
        )}
      </div>
      <div className="field field-year">
        <label htmlFor={`${id}-year`}>Year</label>
        <input
          id={`${id}-year`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="any"
          maxLength={4}
          value={yearText}
          aria-invalid={yearError ? true : undefined}
          aria-describedby={yearError ? `${id}-year-error` : undefined}
          onChange={(e) => {
            setYearText(e.target.value.replace(/[^\d]/g, ""));
            setYearError(null);
          }}
        />
        {yearError && (
          <p className="field-error" id={`${id}-year-error`}>
            {yearError}
          </p>
        )}
      </div>
      <button type="submit" className="primary">
        Rate it
      </button>
      <p className="sr-only" role="status" aria-live="polite">
        {status}
      </p>
    </form>
  );
}
