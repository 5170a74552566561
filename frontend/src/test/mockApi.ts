import { vi } from "vitest";

type Reply = { status?: number; body?: unknown; html?: string } | (() => never);
type Handler = (url: URL) => Reply | Promise<Reply> | undefined;

/**
 * Replace fetch with a small router over the API's paths. Unknown requests fail the test
 * loudly; every request is recorded (``calls``) so tests can count them.
 */
export function mockApi(routes: Record<string, Handler>) {
  const calls: URL[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    calls.push(url);
    const handler = routes[url.pathname] ?? Object.entries(routes).find(([p]) => p.endsWith("*") && url.pathname.startsWith(p.slice(0, -1)))?.[1];
    if (!handler) throw new Error(`unexpected request ${url.pathname}${url.search}`);
    if (init?.signal?.aborted) throw new DOMException("aborted", "AbortError");
    const reply = await handler(url);
    if (reply === undefined) throw new Error(`no reply for ${url.pathname}${url.search}`);
    if (typeof reply === "function") return reply();
    if (reply.html !== undefined) {
      return new Response(reply.html, { status: reply.status ?? 200, headers: { "Content-Type": "text/html" } });
    }
    return new Response(JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

export function apiError(status: number, code: string, message: string) {
  return { status, body: { error: { code, message } } };
}
