import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { DUNE_SEARCH, MATRIX_SEARCH } from "../test/fixtures";
import { apiError, mockApi } from "../test/mockApi";
import { SearchBox } from "./SearchBox";

function setup() {
  const user = userEvent.setup();
  render(<SearchBox initialTitle="" initialYear={null} />);
  const box = screen.getByRole("combobox", { name: "Film title" });
  return { user, box };
}

describe("SearchBox", () => {
  it("asks /api/search once the typing pauses, not on every keystroke", async () => {
    const api = mockApi({ "/api/search": () => ({ body: DUNE_SEARCH }) });
    const { user, box } = setup();
    await user.type(box, "Dune");
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Dune2021", "Dune1984"]);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.searchParams.get("q")).toBe("Dune");
    expect(box).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByRole("status")).toHaveTextContent("2 suggestions");
  });

  it("passes the year filter to the search", async () => {
    const api = mockApi({ "/api/search": () => ({ body: { results: [DUNE_SEARCH.results[1]] } }) });
    const { user, box } = setup();
    await user.type(screen.getByLabelText("Year"), "1984");
    await user.type(box, "Dune");
    await screen.findByRole("option", { name: /1984/ });
    expect(api.calls.at(-1)!.searchParams.get("year")).toBe("1984");
  });

  it("is keyboard navigable: arrows move the active option, Enter picks it", async () => {
    mockApi({ "/api/search": () => ({ body: DUNE_SEARCH }) });
    const { user, box } = setup();
    await user.type(box, "Dune");
    await screen.findAllByRole("option");
    await user.keyboard("{ArrowDown}");
    const first = screen.getAllByRole("option")[0]!;
    expect(first).toHaveAttribute("aria-selected", "true");
    expect(box).toHaveAttribute("aria-activedescendant", first.id);
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByRole("option")[1]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}"); // wraps around
    expect(screen.getAllByRole("option")[0]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowUp}{Enter}");
    expect(window.location.pathname + window.location.search).toBe("/?title=Dune&year=1984");
  });

  it("goes to the film's own page when the candidate has an IMDb id", async () => {
    mockApi({ "/api/search": () => ({ body: MATRIX_SEARCH }) });
    const { user, box } = setup();
    await user.type(box, "The Matrix");
    await user.click(await screen.findByRole("option", { name: /The Matrix/ }));
    expect(window.location.pathname).toBe("/movie/tt0133093");
  });

  it("Escape closes the list; Enter then submits the typed title", async () => {
    mockApi({ "/api/search": () => ({ body: DUNE_SEARCH }) });
    const { user, box } = setup();
    await user.type(box, "Dune");
    await screen.findAllByRole("option");
    await user.keyboard("{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    await user.keyboard("{Enter}");
    expect(window.location.search).toBe("?title=Dune");
  });

  it("says when nothing matches and when suggestions are unavailable", async () => {
    mockApi({
      "/api/search": (url) =>
        url.searchParams.get("q") === "Qqzz" ? { body: { results: [] } } : apiError(503, "upstream_unavailable", "down"),
    });
    const { user, box } = setup();
    await user.type(box, "Qqzz");
    expect(await screen.findByText("No films match “Qqzz”.", { selector: "li" })).toBeVisible();
    await user.clear(box);
    await user.type(box, "Dune");
    expect(await screen.findByText(/Suggestions are unavailable/)).toBeVisible();
  });

  it("validates before navigating: a title is needed, a year must be plausible", async () => {
    mockApi({});
    const { user, box } = setup();
    await user.click(screen.getByRole("button", { name: "Rate it" }));
    expect(box).toHaveAttribute("aria-invalid", "true");
    expect(box).toHaveAccessibleDescription("Type the title of a film.");
    await user.type(box, "Metropolis");
    await user.type(screen.getByLabelText("Year"), "1800");
    await user.click(screen.getByRole("button", { name: "Rate it" }));
    expect(screen.getByLabelText("Year")).toHaveAccessibleDescription("Enter a year between 1870 and 2100.");
    expect(window.location.search).toBe("");
    await user.clear(screen.getByLabelText("Year"));
    await user.type(screen.getByLabelText("Year"), "1927");
    await user.click(screen.getByRole("button", { name: "Rate it" }));
    await waitFor(() => expect(window.location.search).toBe("?title=Metropolis&year=1927"));
  });
});
