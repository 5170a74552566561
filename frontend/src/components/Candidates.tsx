import { useEffect, useRef } from "react";
import type { Candidate } from "../api";
import { sourceLabel } from "../format";
import { linkClick } from "../router";
import { Poster } from "./Poster";
import { candidateHref } from "./SearchBox";

/** "There are 2 films called Dune — which one?" */
export function Candidates({ title, candidates, focus }: { title: string; candidates: Candidate[]; focus: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `Which ${title}? — movieagg`;
    if (focus) heading.current?.focus();
  }, [focus, title]);
  const sorted = [...candidates].sort((a, b) => (b.year ?? 0) - (a.year ?? 0));
  return (
    <section className="candidates" aria-labelledby="candidates-title">
      <h1 id="candidates-title" ref={heading} tabIndex={-1}>
        {sorted.length} films are called “{title}”
      </h1>
      <p className="lede">Which one do you mean?</p>
      <ul className="candidate-list">
        {sorted.map((c, i) => (
          <li key={`${c.imdb_id ?? c.tmdb_id ?? i}-${c.year}`}>
            <a className="candidate" href={candidateHref(c)} onClick={linkClick}>
              <Poster url={c.poster_url} title={c.title} size="card" />
              <span className="candidate-text">
                <span className="candidate-title">
                  {c.title} <span className="candidate-year">({c.year ?? "year unknown"})</span>
                </span>
                {c.original_title && c.original_title !== c.title && (
                  <span className="candidate-meta">{c.original_title}</span>
                )}
                {c.votes ? (
                  <span className="candidate-meta">
                    {new Intl.NumberFormat("en").format(c.votes)} votes on {sourceLabel(c.source)}
                  </span>
                ) : null}
              </span>
              <span className="candidate-go" aria-hidden="true">
                →
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
