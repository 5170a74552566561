import { useCallback, useEffect, useRef, useState } from "react";
import { isAbort } from "./api";

export type Load<T> =
  | { status: "loading"; data: T | null; error: null }
  | { status: "done"; data: T; error: null }
  | { status: "error"; data: T | null; error: unknown };

/**
 * Run ``loader`` whenever ``key`` changes, cancelling the previous run (AbortSignal), so a
 * slow old answer never overwrites a newer one. ``reload(arg)`` runs it again with ``arg``.
 */
export function useLoad<T, A = undefined>(
  key: string,
  loader: (signal: AbortSignal, arg: A | undefined) => Promise<T>,
): Load<T> & { reload: (arg?: A) => void; reloading: boolean } {
  const [state, setState] = useState<Load<T>>({ status: "loading", data: null, error: null });
  const [reloading, setReloading] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const loaderRef = useRef(loader);
  loaderRef.current = loader;
  const hasData = useRef(false);
  hasData.current = state.data !== null;

  const run = useCallback((arg: A | undefined, keep: boolean) => {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    keep = keep && hasData.current; // nothing to keep on screen: show the loading state
    if (keep) setReloading(true);
    else setState({ status: "loading", data: null, error: null });
    loaderRef.current(mine.signal, arg).then(
      (data) => {
        if (mine.signal.aborted) return;
        setState({ status: "done", data, error: null });
        setReloading(false);
      },
      (error: unknown) => {
        if (mine.signal.aborted || isAbort(error)) return;
        setState((s) => ({ status: "error", data: keep ? s.data : null, error }));
        setReloading(false);
      },
    );
  }, []);

  useEffect(() => {
    run(undefined, false);
    return () => controller.current?.abort();
  }, [key, run]);

  const reload = useCallback((arg?: A) => run(arg, true), [run]);
  return { ...state, reload, reloading };
}
