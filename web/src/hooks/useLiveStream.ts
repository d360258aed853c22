// The live event stream while there is a key: each event is applied to the live state
// (applyStreamEvent) with what the page shows at that moment; a refused key (401) is reported.
// Returns the stream's state, for the sidebar.
import { useEffect, useLayoutEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { ApiError } from '../api/client';
import { openStream, parseStreamEvent, type StreamState } from '../api/stream';
import { applyStreamEvent, type LiveState, type LiveView } from '../lib/live_state';

interface Options {
  base: string;
  apiKey: string | null;
  view: Omit<LiveView, 'nowMs'>;
  setLive: Dispatch<SetStateAction<LiveState>>;
  onError: (e: unknown) => void;
}

export function useLiveStream({ base, apiKey, view, setLive, onError }: Options): StreamState {
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  // The stream stays open while the view changes; each event reads the view of its moment.
  const viewRef = useRef(view);
  useLayoutEffect(() => {
    viewRef.current = view;
  });
  useEffect(() => {
    if (!apiKey) return;
    return openStream({
      url: base + '/api/stream',
      key: () => apiKey,
      onState: (s, detail) => {
        setStreamState(s);
        if (s === 'unauthorized') onError(new ApiError(401, 'unauthorized', detail ?? ''));
      },
      onEvent: (sse) => {
        const event = parseStreamEvent(sse);
        if (!event) return;
        if (event.type === 'sample') {
          // For bench/: when the newest sample arrived on the stream.
          performance.clearMarks('llmscope:live-sample');
          performance.mark('llmscope:live-sample', { detail: { id: event.sample.id } });
        }
        const at = { ...viewRef.current, nowMs: Date.now() };
        setLive((s) => applyStreamEvent(s, event, at));
      },
    });
  }, [base, apiKey, setLive, onError]);
  return streamState;
}
