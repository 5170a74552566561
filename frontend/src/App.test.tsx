import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import {
  DUNE_1984,
  DUNE_2021,
  DUNE_HISTORY,
  MATRIX_SEARCH,
  MATRX_NOT_FOUND,
  ONE_OBSERVATION,
} from "./test/fixtures";
import { apiError, mockApi } from "./test/mockApi";

function at(url: string) {
  window.history.replaceState(null, "", url);
}

function rateRoutes(extra: Record<string, Parameters<typeof mockApi>[0][string]> = {}) {
  return mockApi({
    "/api/search": (url) => (url.searchParams.get("q") === "Dune" ? { body: { results: [
      { ...DUNE_2021.movie, votes: 12012, source: "tmdb", imdb_id: null },
      { ...DUNE_1984.movie, votes: 3012, source: "tmdb", imdb_id: null },
    ] } } : { body: MATRIX_SEARCH }),
    "/api/rate": (url) => ({ body: url.searchParams.get("year") === "1984" ? DUNE_1984 : DUNE_2021 }),
    "/api/movies/tt1160419/history": () => ({ body: ONE_OBSERVATION }),
    "/api/movies/tt0087182/history": () => ({ body: ONE_OBSERVATION }),
    ...extra,
  });
}

describe("App routes", () => {
  it("home: a heading, the search box and examples", () => {
    mockApi({});
    render(<App />);
    expect(screen.getByRole("heading", { name: "How good is this movie?" })).toBeInTheDocument();
    expect(screen.getByRole("search")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Psycho (1960)" })).toHaveAttribute("href", "/?title=Psycho&year=1960");
  });

  it("shows a skeleton while loading, then the answer for /?title=&year=", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    rateRoutes({ "/api/rate": async () => (await gate, { body: DUNE_2021 }) });
    at("/?title=Dune&year=2021");
    render(<App />);
    expect(screen.getByRole("heading", { name: "Loading ratings for Dune (2021)…" })).toBeInTheDocument();
    expect(document.querySelector("[aria-busy=true]")).not.toBeNull();
    act(() => release());
    expect(await screen.findByTestId("score")).toHaveTextContent("77");
    expect(screen.getByRole("combobox", { name: "Film title" })).toHaveValue("Dune");
    expect(screen.getByLabelText("Year")).toHaveValue("2021");
  });

  it("an ambiguous bare title offers the remakes; picking one rates that film; back returns", async () => {
    const api = rateRoutes();
    at("/?title=Dune");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "2 films are called “Dune”" })).toBeInTheDocument();
    const links = screen.getAllByRole("link", { name: /Dune \(\d{4}\)/ });
    expect(links.map((l) => l.getAttribute("href"))).toEqual(["/?title=Dune&year=2021", "/?title=Dune&year=1984"]);
    expect(api.calls.some((u) => u.pathname === "/api/rate")).toBe(false); // asked nothing yet
    await userEvent.click(links[1]!);
    expect(await screen.findByText("David Lynch")).toBeInTheDocument();
    expect(window.location.search).toBe("?title=Dune&year=1984");
    expect(api.calls.find((u) => u.pathname === "/api/rate")!.searchParams.get("year")).toBe("1984");
    act(() => {
      window.history.back();
    });
    expect(await screen.findByRole("heading", { name: "2 films are called “Dune”" })).toBeInTheDocument();
  });

  it("an unambiguous title goes straight to the result", async () => {
    rateRoutes({ "/api/rate": () => ({ body: { ...DUNE_2021, movie: { ...DUNE_2021.movie, title: "The Matrix", imdb_id: "tt0133093" } } }), "/api/movies/tt0133093/history": () => ({ body: ONE_OBSERVATION }) });
    at("/?title=The%20Matrix");
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "The Matrix" })).toBeInTheDocument();
  });

  it("/movie/<imdb id> rates by id, and refresh asks with refresh=1", async () => {
    const api = rateRoutes({
      "/api/movies/tt1160419": (url) => ({ body: { ...DUNE_2021, cached: url.searchParams.get("refresh") !== "1" } }),
      "/api/movies/tt1160419/history": () => ({ body: DUNE_HISTORY }),
    });
    at("/movie/tt1160419");
    render(<App />);
    expect(await screen.findByText("From cache")).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Ratings over time" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(api.calls.some((u) => u.searchParams.get("refresh") === "1")).toBe(true));
    expect(await screen.findByText("Fresh")).toBeInTheDocument();
  });

  it("no film found: a helpful empty state", async () => {
    rateRoutes({ "/api/rate": () => apiError(404, "not_found", "no film matches 'Qqzz'") });
    at("/?title=Qqzz&year=2001");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "No film found for “Qqzz (2001)”" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("no film found, with suggestions: each a link to that film", async () => {
    rateRoutes({
      "/api/search": () => ({ body: { results: [] } }),
      "/api/rate": () => ({ status: 404, body: MATRX_NOT_FOUND }),
    });
    at("/?title=the%20matrx");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "No film found for “the matrx”" })).toBeInTheDocument();
    expect(screen.getByText("Did you mean one of these?")).toBeInTheDocument();
    const link = screen.getByRole("link", { name: "The Matrix (1999)" });
    expect(link).toHaveAttribute("href", "/movie/tt0133093");
  });

  it("invalid input: the API's own message", async () => {
    rateRoutes({ "/api/movies/tt0000001": () => apiError(400, "invalid_input", "not an IMDb id") });
    at("/movie/tt0000001");
    render(<App />);
    expect(await screen.findByText("not an IMDb id")).toBeInTheDocument();
  });

  it("every source down: an error with a retry that works", async () => {
    let down = true;
    rateRoutes({
      "/api/rate": () =>
        down ? apiError(503, "upstream_unavailable", "every source failed.") : { body: DUNE_2021 },
    });
    at("/?title=Dune&year=2021");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "No rating source answered" })).toBeInTheDocument();
    down = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("score")).toHaveTextContent("77");
  });

  it("the API unreachable or answering HTML: a clear error, never a crash", async () => {
    rateRoutes({
      "/api/rate": () => () => {
        throw new TypeError("Failed to fetch");
      },
    });
    at("/?title=Dune&year=2021");
    const { unmount } = render(<App />);
    expect(await screen.findByRole("heading", { name: "Can't reach movieagg" })).toBeInTheDocument();
    unmount();
    rateRoutes({ "/api/rate": () => ({ status: 502, html: "<html>Bad Gateway</html>" }) });
    render(<App />);
    expect(await screen.findByRole("heading", { name: "Something went wrong" })).toBeInTheDocument();
    expect(screen.getByText("The movieagg API is unavailable right now.")).toBeInTheDocument();
  });

  it("an unknown path has its own page", () => {
    mockApi({});
    at("/nope/nothing");
    render(<App />);
    expect(screen.getByRole("heading", { name: "There is no page here" })).toBeInTheDocument();
  });
});
