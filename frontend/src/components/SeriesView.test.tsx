import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { BB_GRID, BB_SERIES_RESULT, OZYMANDIAS_RESULT } from "../test/seriesFixtures";
import { apiError, mockApi } from "../test/mockApi";
import { KindLine } from "./ResultView";
import { SeriesView } from "./SeriesView";

function at(url: string) {
  window.history.replaceState(null, "", url);
}

describe("series page", () => {
  it("the route /series/{id} fetches the grid and shows the series", async () => {
    const api = mockApi({ "/api/series/tt0903747/episodes": () => ({ body: BB_GRID }) });
    at("/series/tt0903747");
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Breaking Bad" })).toBeInTheDocument();
    expect(api.calls.map((u) => u.pathname)).toEqual(["/api/series/tt0903747/episodes"]);
    expect(screen.getByText("TV series · 2008–2013 · 5 seasons · 8 episodes")).toBeInTheDocument();
    expect(document.title).toBe("Breaking Bad (2008–2013) — episodes · movieagg");
  });

  it("a series that is not found is a clear error with a retry", async () => {
    mockApi({ "/api/series/tt0000001/episodes": () => apiError(404, "not_found", "No series with this IMDb id.") });
    at("/series/tt0000001");
    render(<App />);
    expect(await screen.findByText(/No series with this IMDb id/)).toBeInTheDocument();
  });

  it("every cell prints its rating and is named for screen readers; each links to the episode's page", () => {
    render(<SeriesView grid={BB_GRID} focus={false} />);
    const grid = screen.getByRole("grid", { name: "Every episode, rated on IMDb" });
    const ozy = within(grid).getByRole("link", { name: "S5 E14 Ozymandias 10.0" });
    expect(ozy).toHaveTextContent("10.0");
    expect(ozy).toHaveAttribute("href", "/movie/tt2301451");
    expect(ozy.closest("td")).toHaveClass("cell-r9");
    const thin = within(grid).getByRole("link", { name: "S5 E1 Live Free or Die 9.2, few votes" });
    expect(thin.closest("td")).toHaveClass("cell-thin");
    const unrated = within(grid).getByLabelText("S3 E1 No Más no rating"); // no IMDb id: not a link
    expect(unrated.tagName).toBe("SPAN");
    expect(unrated).toHaveTextContent("–");
    expect(within(grid).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["S1", "S3", "S5"]);
    expect(within(grid).getByRole("rowheader", { name: "Avg" })).toBeInTheDocument();
    expect(within(grid).getByText("9.6")).toBeInTheDocument(); // season 5's average
  });

  it("has a colour key, the season-average line, best and worst lists, and the errors", () => {
    render(<SeriesView grid={BB_GRID} focus={false} />);
    const key = screen.getByRole("list", { name: "Colour key" });
    expect(within(key).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "9.0–10", "8.0–8.9", "7.0–7.9", "6.0–6.9", "5.0–5.9", "below 5", "no rating", "few votes",
    ]);
    expect(screen.getByRole("img", { name: "Season averages: S1 8.7, S3 7.8, S5 9.6" })).toBeInTheDocument();
    const best = screen.getByRole("region", { name: "Best episodes" });
    expect(within(best).getAllByRole("link").map((a) => [a.textContent, a.getAttribute("href")])).toEqual([
      ["S5 E14 Ozymandias", "/movie/tt2301451"],
      ["S5 E16 Felina", "/movie/tt2301455"],
    ]);
    const worst = screen.getByRole("region", { name: "Worst episodes" });
    expect(within(worst).getAllByRole("listitem")[0]).toHaveTextContent("7.8 S3 E10 Fly");
    expect(screen.getByRole("status")).toHaveTextContent("Trakt: timed out after 10s");
  });

  it("keyboard: one tab stop in the grid, arrow keys move between cells (roving tabindex)", async () => {
    const user = userEvent.setup();
    render(<SeriesView grid={BB_GRID} focus={false} />);
    const grid = screen.getByRole("grid");
    const stops = grid.querySelectorAll('[tabindex="0"]');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toHaveAccessibleName("S1 E1 Pilot 9.0");
    await user.click(stops[0] as HTMLElement); // a link: clicking it would navigate; focus it instead
    (stops[0] as HTMLElement).focus();
    await user.keyboard("{ArrowRight}");
    expect(document.activeElement).toHaveAccessibleName("S3 E1 No Más no rating");
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toHaveAccessibleName("S3 E10 Fly 7.8");
    await user.keyboard("{ArrowRight}"); // no S5 E10: stays
    expect(document.activeElement).toHaveAccessibleName("S3 E10 Fly 7.8");
    await user.keyboard("{Control>}{End}{/Control}");
    expect(document.activeElement).toHaveAccessibleName("S5 E16 Felina 9.9");
    expect(grid.querySelectorAll('[tabindex="0"]')).toHaveLength(1);
    expect(document.activeElement).toHaveAttribute("tabindex", "0");
  });

  it("a series without episodes says so", () => {
    render(<SeriesView grid={{ ...BB_GRID, seasons: [], best: [], worst: [], errors: [] }} focus={false} />);
    expect(screen.getByText("No episode of this series has been listed by IMDb yet.")).toBeInTheDocument();
    expect(screen.queryByRole("grid")).toBeNull();
  });
});

describe("rating page: what the answer is about", () => {
  it("a series: years, seasons and a link to its episode grid", () => {
    render(<KindLine result={BB_SERIES_RESULT} />);
    expect(screen.getByTestId("kind")).toHaveTextContent(
      "TV series · 2008–2013 · 5 seasons · 62 episodes · AMC · created by Vince Gilligan · Every episode, rated",
    );
    expect(screen.getByRole("link", { name: "Every episode, rated" })).toHaveAttribute("href", "/series/tt0903747");
  });

  it("an episode: S05E14 of Breaking Bad, linked to the series and its grid", () => {
    render(<KindLine result={OZYMANDIAS_RESULT} />);
    expect(screen.getByTestId("kind")).toHaveTextContent("S05E14 of Breaking Bad · All its episodes");
    expect(screen.getByRole("link", { name: "Breaking Bad" })).toHaveAttribute("href", "/movie/tt0903747");
    expect(screen.getByRole("link", { name: "All its episodes" })).toHaveAttribute("href", "/series/tt0903747");
  });

  it("a film (or an older server without kind): nothing", () => {
    const { container } = render(<KindLine result={{ ...BB_SERIES_RESULT, kind: "movie" }} />);
    expect(container).toBeEmptyDOMElement();
    const { container: old } = render(<KindLine result={{ ...BB_SERIES_RESULT, kind: undefined }} />);
    expect(old).toBeEmptyDOMElement();
  });

  it("an episode's page links back to the grid, and the grid's cell opens the episode's page", async () => {
    const user = userEvent.setup();
    mockApi({
      "/api/series/tt0903747/episodes": () => ({ body: BB_GRID }),
      "/api/movies/tt2301451": () => ({ body: OZYMANDIAS_RESULT }),
      "/api/movies/tt2301451/history": () => ({ body: { observations: [] } }),
    });
    at("/series/tt0903747");
    render(<App />);
    await user.click(await screen.findByRole("link", { name: "S5 E14 Ozymandias 10.0" }));
    await waitFor(() => expect(window.location.pathname).toBe("/movie/tt2301451"));
    expect(await screen.findByRole("heading", { level: 1, name: "Ozymandias" })).toBeInTheDocument();
    expect(screen.getByTestId("kind")).toHaveTextContent("S05E14 of Breaking Bad");
    expect(screen.getByRole("link", { name: "Link to this episode" })).toBeInTheDocument();
  });
});
