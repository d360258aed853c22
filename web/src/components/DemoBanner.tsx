// The demo day's notice (docs/design.md "Demo day"): shown only while the store holds demo data
// (GET /api/demo), with the button that deletes it (DELETE /api/demo) after a confirmation and
// then reloads the page, whose every view is read again; a failed delete is reported by onError.
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import { ConfirmDialog } from './ConfirmDialog';

export function DemoBanner({ api, onError }: { api: ApiClient; onError: (e: unknown) => void }) {
  const [demo, setDemo] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // A failed read (a server without the route, a refused key: said elsewhere) shows no banner.
  useEffect(() => {
    api.demo().then(
      (d) => setDemo(d.demo),
      () => setDemo(false),
    );
  }, [api]);
  if (!demo) return null;
  const remove = () => {
    setConfirming(false);
    api.deleteDemo().then(() => window.location.reload(), onError);
  };
  return (
    <div className="demo-banner banner card" role="status">
      Demo data: the past day was filled by the simulated target so every view has something to show.{' '}
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Demo data — delete
      </button>
      {confirming ? (
        <ConfirmDialog
          title="Delete the demo data?"
          text="Every sample, stage and violation of the simulated target is deleted; its live probe goes on and learns anew."
          confirm="Delete demo data"
          onConfirm={remove}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </div>
  );
}
