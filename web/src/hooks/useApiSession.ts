// The API key (asked for once, kept in localStorage), the client that sends it, and what went
// wrong with a request: a refused key (401) forgets the key so that the page asks for it again,
// saying why; any other failure is shown in the page's banner until a chart loads.
import { useCallback, useMemo, useState } from 'react';
import { ApiClient, ApiError } from '../api/client';

export const KEY_STORAGE = 'llmscope.apiKey';

export interface ApiSession {
  key: string | null;
  api: ApiClient;
  authMessage?: string; // why the key is asked for again
  error: string | null;
  fail: (e: unknown) => void;
  clearError: () => void;
  saveKey: (key: string) => void;
  forgetKey: () => void;
}

export function useApiSession(base: string): ApiSession {
  const [key, setKey] = useState<string | null>(() => localStorage.getItem(KEY_STORAGE));
  const [authMessage, setAuthMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  // The page shows only the key prompt while there is no key, so nothing holds an older client
  // when the key changes.
  const api = useMemo(() => new ApiClient(() => key ?? '', base), [key, base]);

  const fail = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.unauthorized) {
      setAuthMessage(e.message);
      setKey(null);
      return;
    }
    setError(e instanceof Error ? e.message : String(e));
  }, []);
  const clearError = useCallback(() => setError(null), []);
  const saveKey = useCallback((k: string) => {
    localStorage.setItem(KEY_STORAGE, k);
    setAuthMessage(undefined);
    setError(null);
    setKey(k);
  }, []);
  const forgetKey = useCallback(() => {
    localStorage.removeItem(KEY_STORAGE);
    setKey(null);
  }, []);
  return { key, api, authMessage, error, fail, clearError, saveKey, forgetKey };
}
