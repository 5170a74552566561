import { useState } from "react";

/** A poster, or a quiet placeholder with the title's initials when there is none or it fails. */
export function Poster({
  url,
  title,
  size,
}: {
  url: string | null;
  title: string;
  size: "thumb" | "card" | "large";
}) {
  const [failed, setFailed] = useState(false);
  const decorative = size !== "large"; // thumbnails sit next to the title text already
  if (!url || failed || !/^https:\/\//.test(url)) {
    const initials = title
      .split(/\s+/)
      .filter((w) => /^\p{L}|\p{N}/u.test(w))
      .slice(0, 2)
      .map((w) => w[0])
      .join("")
      .toUpperCase();
    return (
      <span
        className={`poster poster-${size} poster-empty`}
        role={decorative ? undefined : "img"}
        aria-label={decorative ? undefined : `No poster for ${title}`}
        aria-hidden={decorative ? true : undefined}
      >
        {initials || "?"}
      </span>
    );
  }
  return (
    <img
      className={`poster poster-${size}`}
      src={url}
      alt={decorative ? "" : `Poster of ${title}`}
      loading={size === "large" ? "eager" : "lazy"}
      decoding="async"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
