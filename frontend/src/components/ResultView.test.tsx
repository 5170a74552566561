import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { RatingResult } from "../api";
import { BLADE_RUNNER_PARTIAL, DUNE_2021, DUNE_HISTORY, SOLARIS_UNCERTAIN, VENOM_SPLIT } from "../test/fixtures";
import { mockApi } from "../test/mockApi";
import { ResultView } from "./ResultView";

async function show(result: RatingResult, extra: Partial<Parameters<typeof ResultView>[0]> = {}) {
  const api = mockApi({ "/api/movies/*": () => ({ body: { imdb_id: result.movie.imdb_id, observations: [] } }) });
  const onRefresh = vi.fn();
  render(<ResultView result={result} focus={false} onRefresh={onRefresh} refreshing={false} refreshError={null} {...extra} />);
  // Let the (empty) history answer arrive, so its state update happens inside act().
  await waitFor(() => expect(api.calls).toHaveLength(1));
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return { onRefresh };
}

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-rating="${name}"]`);
  if (!el) throw new Error(`no row ${name}`);
  return el;
}

describe("ResultView", () => {
  it("shows the film, the aggregate score large with its band, and where it comes from", async () => {
    await show(DUNE_2021);
    expect(screen.getByRole("heading", { level: 1, name: "Dune" })).toBeInTheDocument();
    expect(screen.getByText("2021 · 2 h 35 min")).toBeInTheDocument();
    expect(screen.getByText("Denis Villeneuve")).toBeInTheDocument();
    expect(screen.getByTestId("score")).toHaveTextContent("77");
    expect(screen.getByRole("figure", { name: "Score 77 out of 100: Good" })).toBeInTheDocument();
    expect(screen.getByText("from 5 ratings · 3 sources")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Poster of Dune" })).toHaveAttribute(
      "src",
      "https://image.tmdb.org/t/p/w342/p438631.jpg",
    );
    expect(document.title).toBe("Dune (2021) — 77/100 · movieagg");
  });

  it("draws one bar per rating on the 0–100 axis with the native value and votes", async () => {
    await show(DUNE_2021);
    const meters = screen.getAllByRole("meter");
    expect(meters).toHaveLength(5);
    expect(within(row("imdb")).getByText("8.0/10")).toBeInTheDocument();
    expect(within(row("imdb")).getByText("812.3K votes")).toBeInTheDocument();
    expect(within(row("imdb")).getByRole("meter")).toHaveAttribute("aria-valuenow", "80");
    expect(within(row("imdb")).getByRole("meter")).toHaveAttribute("aria-valuetext", "8.0/10, 80 out of 100");
    expect(within(row("rotten_tomatoes")).getByText("83%")).toBeInTheDocument();
    expect(within(row("metacritic")).getByText("74/100")).toBeInTheDocument();
    expect(within(row("tmdb")).getByText("7.8/10")).toBeInTheDocument();
    expect(within(row("rotten_tomatoes_average")).getByText("6.9/10")).toBeInTheDocument();
    // The same RT score from Wikidata is mentioned, not drawn twice.
    expect(within(row("rotten_tomatoes")).getByText(/Also reported by/)).toHaveTextContent(
      "Also reported by Wikidata: 83% (250 reviews) — counted once.",
    );
    expect(row("rotten_tomatoes").querySelector(".bar-fill")).toHaveStyle({ width: "83%" });
  });

  it("links out to each source's page in a new tab", async () => {
    await show(DUNE_2021);
    const imdb = within(row("imdb")).getByRole("link", { name: /IMDb/ });
    expect(imdb).toHaveAttribute("href", "https://www.imdb.com/title/tt1160419/");
    expect(imdb).toHaveAttribute("target", "_blank");
    expect(imdb).toHaveAttribute("rel", "noopener noreferrer");
    expect(within(row("tmdb")).getByRole("link", { name: /TMDB/ })).toHaveAttribute(
      "href",
      "https://www.themoviedb.org/movie/438631",
    );
    expect(screen.getByRole("link", { name: "Link to this film" })).toHaveAttribute("href", "/movie/tt1160419");
  });

  it("says when the data was fetched and whether it came from cache; Refresh asks again", async () => {
    const { onRefresh } = await show({ ...DUNE_2021, cached: true, fetched_at: new Date(Date.now() - 5 * 60_000).toISOString() });
    expect(screen.getByText("From cache")).toBeInTheDocument();
    expect(screen.getByText("5 minutes ago")).toHaveAttribute("dateTime");
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    expect(onRefresh).toHaveBeenCalledOnce();
  });

  it("shows a partial failure calmly, with the details one click away", async () => {
    await show(BLADE_RUNNER_PARTIAL);
    const notice = screen.getByRole("status");
    expect(notice).toHaveTextContent("OMDb did not answer; showing 2 of 3 sources.");
    expect(notice).toHaveTextContent("OMDb: OMDb is unavailable (HTTP 503)");
    expect(screen.getAllByRole("meter")).toHaveLength(3);
    expect(screen.getByRole("img", { name: "No poster for Blade Runner" })).toHaveTextContent("BR");
  });

  it("marks stale answers (saved ratings served because the sources failed)", async () => {
    await show({ ...DUNE_2021, stale: true, cached: true });
    expect(screen.getByText(/The sources did not answer just now/)).toBeInTheDocument();
    expect(screen.getByText("Saved copy")).toBeInTheDocument();
  });

  it("has an empty state for a film nobody rated yet", async () => {
    await show({ ...DUNE_2021, ratings: [], score: null });
    expect(screen.getByRole("img", { name: "No score yet" })).toBeInTheDocument();
    expect(screen.getByText(/No source has rated this film yet/)).toBeInTheDocument();
  });

  it("draws the history chart once a rating was seen at two different times", async () => {
    mockApi({ "/api/movies/tt1160419/history": () => ({ body: DUNE_HISTORY }) });
    render(<ResultView result={DUNE_2021} focus={false} onRefresh={() => {}} refreshing={false} refreshError={null} />);
    const chart = await screen.findByRole("img", { name: /Ratings over time, on the 0 to 100 scale: IMDb from 81 to 80; Metacritic from 74 to 74/ });
    expect(chart.querySelectorAll("g.series")).toHaveLength(2);
    // The axis zooms to the observed 74–81 so a one-point change is visible.
    expect([...chart.querySelectorAll("g.grid text")].map((t) => t.textContent)).toEqual(["60", "70", "80", "90"]);
    expect(screen.getByRole("table")).toBeInTheDocument();
  });
});

describe("ResultView: trust (#13)", () => {
  it("warns plainly when the match is uncertain, with the reasons and the other films", async () => {
    await show(SOLARIS_UNCERTAIN);
    const warning = screen.getByTestId("match-warning");
    expect(warning).toHaveTextContent("Not sure this is the film you mean (match 51%)");
    expect(warning).toHaveTextContent("OMDb's search puts Solaris (2002) first");
    expect(within(warning).getByRole("link", { name: "Solaris (2002)" })).toBeInTheDocument();
    expect(screen.getByTestId("match")).toHaveTextContent("Match 51% (by title)");
  });

  it("a sure match is one quiet line, its reasons one click away", async () => {
    await show(VENOM_SPLIT);
    expect(screen.queryByTestId("match-warning")).toBeNull();
    expect(screen.getByTestId("match")).toHaveTextContent("Match 100% (by title)");
    expect(screen.getByText("released 2018, as asked")).toBeInTheDocument();
  });

  it("shows critics against the audience and marks the ratings far from the others", async () => {
    await show(VENOM_SPLIT);
    expect(screen.getByTestId("families")).toHaveTextContent("critics 30 · audience 68");
    expect(screen.getByTestId("agreement")).toHaveTextContent("The sources disagree");
    expect(row("metacritic")).toHaveAttribute("data-outlier", "true");
    expect(within(row("metacritic")).getByText("far from the others")).toBeInTheDocument();
    expect(row("imdb")).not.toHaveAttribute("data-outlier");
    // The Tomatometer shares its reviews with the RT average rating: shown, counted once as that.
    expect(within(row("rotten_tomatoes")).getByText(/Same reviews as RT average rating/)).toBeInTheDocument();
  });
});
