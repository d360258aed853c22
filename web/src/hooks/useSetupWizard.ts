// Whether the setup wizard is open: at first, when the server probes no target of its own and
// this browser has not skipped the wizard; later, when the top bar asks. A server without the
// targets route (an older one) never opens it.
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import { listTargets } from '../api/targets';

export const SETUP_SKIPPED = 'llmscope.setup.skipped';

export function useSetupWizard(api: ApiClient, enabled: boolean) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!enabled || localStorage.getItem(SETUP_SKIPPED)) return;
    let gone = false;
    listTargets(api).then(
      (r) => {
        if (!gone && r.targets.length === 0) setOpen(true);
      },
      () => undefined, // no targets route: no wizard
    );
    return () => {
      gone = true;
    };
  }, [api, enabled]);
  return { open, show: () => setOpen(true), close: () => setOpen(false) };
}
