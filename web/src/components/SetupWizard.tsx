// The first-run wizard (docs/design.md "Settings"): opens while the server probes no target of
// its own (file or stored), and from the top bar. It says where the API key is kept (the server
// never sends the key: this browser already holds it), looks for a local Ollama through the
// server's model route and offers its models, or takes another provider; sets the interval and
// profile; tests one call; offers an alert sink with a test (WizardAlertStep); saves the target;
// and ends on its live chart. Skipping is remembered by this browser.
import { useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { createTarget, providerModels, type Target } from '../api/targets';
import { emptyForm, writeOf, type TargetFormState } from '../lib/target_form';
import { SETUP_SKIPPED } from '../hooks/useSetupWizard';
import { TargetFields, TestOutcome, useTargetTest } from './TargetForm';
import { WizardAlertStep } from './WizardAlertStep';

const LOCAL_OLLAMA = 'http://127.0.0.1:11434';

type Step = 'key' | 'target' | 'alerts';

export function SetupWizard({ api, onClose, onDone }: { api: ApiClient; onClose: () => void; onDone: (t: Target) => void }) {
  const [step, setStep] = useState<Step>('key');
  const [form, setForm] = useState<TargetFormState>(emptyForm('ollama'));
  const [found, setFound] = useState<{ models: string[]; note: string } | null>(null);
  const [problem, setProblem] = useState('');
  const test = useTargetTest(api);

  useEffect(() => {
    let gone = false;
    providerModels(api, 'ollama', LOCAL_OLLAMA, '').then(
      (r) => {
        if (gone) return;
        setFound({ models: r.models, note: `Found Ollama at ${LOCAL_OLLAMA} with ${r.models.length} model(s).` });
        if (r.models.length) setForm((f) => (f.model ? f : { ...f, model: r.models[0] }));
      },
      (e: unknown) => {
        if (gone) return;
        const why = e instanceof ApiError ? e.message : String(e);
        setFound({ models: [], note: `No Ollama answered at ${LOCAL_OLLAMA} (${why}). Pick another provider or URL.` });
      },
    );
    return () => {
      gone = true;
    };
  }, [api]);

  const skip = () => {
    localStorage.setItem(SETUP_SKIPPED, '1');
    onClose();
  };
  const save = () => {
    createTarget(api, writeOf(form)).then(
      (t) => {
        localStorage.setItem(SETUP_SKIPPED, '1');
        onDone(t);
      },
      (e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)),
    );
  };

  return (
    <div className="modal-backdrop">
      <div className="modal card setup-wizard" role="dialog" aria-modal="true" aria-label="setup">
        <h2>Set up LLMscope</h2>
        {step === 'key' ? (
          <>
            <p>
              This browser keeps the API key you entered. The server wrote it on its first start to the file <code>api_key</code> in its
              data directory (readable by its owner only) and printed it once; keep a copy in your password manager. The server never
              sends the key over HTTP.
            </p>
            <p>Next: choose what to probe. Until then the server probes its simulated demo.</p>
            <div className="actions">
              <button type="button" onClick={skip}>
                Skip setup
              </button>
              <button type="button" className="primary" onClick={() => setStep('target')}>
                Next
              </button>
            </div>
          </>
        ) : null}
        {step === 'target' ? (
          <>
            {found ? (
              <p className="muted" data-testid="ollama-detection">
                {found.note}
              </p>
            ) : (
              <p className="muted">Looking for Ollama at {LOCAL_OLLAMA}…</p>
            )}
            <TargetFields key={found ? 'found' : 'looking'} api={api} form={form} onChange={setForm} models={found?.models ?? []} />
            <TestOutcome result={test.result} />
            <div className="actions">
              <button type="button" onClick={skip}>
                Skip setup
              </button>
              <button type="button" onClick={() => test.run(form)}>
                Test
              </button>
              <button type="button" className="primary" onClick={() => setStep('alerts')} disabled={!form.model.trim()}>
                Next
              </button>
            </div>
          </>
        ) : null}
        {step === 'alerts' ? (
          <>
            <WizardAlertStep api={api} />
            {problem ? (
              <p className="alert" role="alert">
                {problem}
              </p>
            ) : null}
            <div className="actions">
              <button type="button" onClick={() => setStep('target')}>
                Back
              </button>
              <button type="button" className="primary" onClick={save}>
                Start probing
              </button>
            </div>
          </>
        ) : null}
      </div>
    </div>
  );
}
