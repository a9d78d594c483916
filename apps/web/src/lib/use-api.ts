import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; `quiet` keeps the current data on screen (polling). */
  reload(quiet?: boolean): Promise<void>;
  setData(data: T): void;
}

/** Runs `load` on mount and whenever `deps` change; the latest call wins. */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const controller = useRef<AbortController | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async (quiet = false) => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    if (!quiet) setLoading(true);
    try {
      const result = await loadRef.current(c.signal);
      if (c.signal.aborted) return;
      setData(result);
      setError(undefined);
    } catch (e) {
      if (c.signal.aborted || (e as Error).name === 'AbortError') return;
      setError(e);
    } finally {
      if (!c.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  // Data set by the caller (an action's answer) is newer than any load still in flight: cancel those.
  const set = useCallback((next: T) => {
    controller.current?.abort();
    setLoading(false);
    setData(next);
  }, []);

  return { data, error, loading, reload, setData: set };
}

/** Calls `tick` every `ms` while the page is visible, and when it becomes visible again. */
export function usePolling(tick: () => void, ms: number, enabled = true): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!enabled) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') tickRef.current();
    }, ms);
    const onVisible = () => document.visibilityState === 'visible' && tickRef.current();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms, enabled]);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return debounced;
}
