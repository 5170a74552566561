import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { browserRegion, type Watch } from "../api";
import { WatchSection } from "./WatchSection";

// The shape /api/rate answers (from TMDB's recorded watch/providers for Thor, GB).
const GB: Watch = {
  region: "GB",
  link: "https://www.themoviedb.org/movie/10195-thor/watch?locale=GB",
  flatrate: [{ name: "Disney Plus", logo: "https://image.tmdb.org/t/p/w92/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg", id: 337 }],
  rent: [
    { name: "Apple TV", logo: "https://image.tmdb.org/t/p/w92/peURlLlr8jggOwK53fJ5wdQl05y.jpg", id: 2 },
    { name: "Sky Store", logo: null, id: 130 },
  ],
  buy: [{ name: "Amazon Video", logo: "https://image.tmdb.org/t/p/w92/5NyLm42TmCqCMOZFvH4fcoSNKEW.jpg", id: 10 }],
  free: [],
  ads: [],
  attribution: "JustWatch",
};

describe("WatchSection", () => {
  it("lists the offers by kind with logos and names, credited to JustWatch with TMDB's link", () => {
    render(<WatchSection watch={GB} />);
    const section = screen.getByTestId("watch");
    expect(within(section).getByRole("heading", { level: 2 })).toHaveTextContent("Where to watch in United Kingdom");
    expect(within(section).getByRole("heading", { name: "Stream" })).toBeInTheDocument();
    expect(within(section).queryByRole("heading", { name: "Free" })).toBeNull(); // no free offers: no heading
    expect(within(section).getByText("Disney Plus")).toBeInTheDocument();
    const logo = section.querySelector<HTMLImageElement>('[data-kind="flatrate"] img');
    expect(logo?.src).toBe("https://image.tmdb.org/t/p/w92/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg");
    expect(within(section).getByRole("link", { name: "JustWatch" })).toHaveAttribute("href", "https://www.justwatch.com/");
    expect(screen.getByTestId("watch-link")).toHaveAttribute("href", GB.link);
  });

  it("shows a lettered tile when a logo is missing or fails to load (offline)", () => {
    render(<WatchSection watch={GB} />);
    expect(screen.getAllByTestId("logo-fallback")).toHaveLength(1); // Sky Store has no logo
    const img = screen.getByTestId("watch").querySelector<HTMLImageElement>('[data-kind="flatrate"] img')!;
    fireEvent.error(img);
    expect(screen.getAllByTestId("logo-fallback")).toHaveLength(2);
    expect(screen.getByText("Disney Plus")).toBeInTheDocument(); // the name stays
  });

  it("refuses links and logos that are not TMDB's", () => {
    const evil: Watch = {
      ...GB,
      link: "javascript:alert(1)",
      flatrate: [{ name: "Evil", logo: "https://evil.example/x.png", id: 1 }],
    };
    render(<WatchSection watch={evil} />);
    expect(screen.queryByTestId("watch-link")).toBeNull();
    expect(screen.getByTestId("watch").querySelector('img[src^="https://evil"]')).toBeNull();
  });

  it("shows nothing without data", () => {
    const { container } = render(<WatchSection watch={null} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("asks for the browser's country", () => {
    expect(browserRegion(["en-GB", "en"])).toBe("GB");
    expect(browserRegion(["zh-Hant-TW"])).toBe("TW");
    expect(browserRegion(["de"])).toBeNull();
  });
});
