// The Targets page (docs/design.md "Settings"): every target the server probes, with its state;
// targets from the config file are shown read-only; stored ones can be added, edited, tested and
// deleted, and apply at once without a restart. Names and URLs are shown as text.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { createTarget, deleteTarget, listTargets, testSavedTarget, updateTarget, type Target, type TestResult } from '../api/targets';
import { emptyForm, formOf, writeOf, type TargetFormState } from '../lib/target_form';
import { ConfirmDialog } from './ConfirmDialog';
import { TargetFields, TestOutcome, useTargetTest } from './TargetForm';

interface Editing {
  id: string | null; // null: a new target
  form: TargetFormState;
}

export function TargetsPage({ api, onSetup }: { api: ApiClient; onSetup: () => void }) {
  const [targets, setTargets] = useState<Target[] | null>(null);
  const [problem, setProblem] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Target | null>(null);
  const [tested, setTested] = useState<{ id: string; result: TestResult | string } | null>(null);
  const test = useTargetTest(api);
  const say = useCallback((e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)), []);

  const reload = useCallback(() => {
    listTargets(api).then((r) => setTargets(r.targets), say);
  }, [api, say]);
  useEffect(() => {
    reload();
    const timer = setInterval(reload, 5000); // the calls counts move
    return () => clearInterval(timer);
  }, [reload]);

  const save = () => {
    if (!editing) return;
    const body = writeOf(editing.form);
    const done = editing.id === null ? createTarget(api, body) : updateTarget(api, editing.id, body);
    done.then(
      () => {
        setEditing(null);
        setProblem('');
        test.clear();
        reload();
      },
      say,
    );
  };
  const testSaved = (t: Target) => {
    setTested({ id: t.id, result: 'Calling…' });
    testSavedTarget(api, t.id).then(
      (result) => setTested({ id: t.id, result }),
      (e: unknown) => setTested({ id: t.id, result: e instanceof ApiError ? e.message : String(e) }),
    );
  };

  return (
    <section className="card targets-page" aria-label="targets">
      <div className="section-head">
        <h2>Targets</h2>
        <button type="button" onClick={() => setEditing({ id: null, form: emptyForm() })}>
          Add target
        </button>
        <button type="button" className="linklike" onClick={onSetup}>
          Setup wizard
        </button>
      </div>
      {problem ? (
        <p className="alert" role="alert">
          {problem}
        </p>
      ) : null}
      {targets && targets.length === 0 ? <p className="muted">No target yet: the server probes its simulated demo.</p> : null}
      <table className="targets">
        <thead>
          <tr>
            <th>Name</th>
            <th>Provider</th>
            <th>Model</th>
            <th>Every</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(targets ?? []).map((t) => (
            <tr key={`${t.source}:${t.id}`} data-testid={`target-${t.id}`}>
              <td>
                {t.name}
                {t.source === 'file' ? <span className="muted"> (config file, read-only)</span> : null}
              </td>
              <td>
                {t.provider}
                <div className="muted small">{t.base_url}</div>
              </td>
              <td>
                {t.model}
                {t.site ? <div className="muted small">site {t.site}</div> : null}
              </td>
              <td data-testid="interval">{t.interval_s} s</td>
              <td>
                {t.state.probing ? `probing: ${t.state.calls ?? 0} calls, ${t.state.errors ?? 0} failed` : 'not probed'}
                {tested?.id === t.id ? <TestOutcome result={tested.result} /> : null}
              </td>
              <td className="actions">
                <button type="button" onClick={() => testSaved(t)}>
                  Test
                </button>
                {t.source === 'store' ? (
                  <>
                    <button type="button" onClick={() => setEditing({ id: t.id, form: formOf(t) })}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => setDeleting(t)}>
                      Delete
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <div className="modal-backdrop">
          <div className="modal card" role="dialog" aria-modal="true" aria-label={editing.id ? 'edit target' : 'add target'}>
            <h2>{editing.id ? `Edit ${editing.id}` : 'Add a target'}</h2>
            <TargetFields api={api} form={editing.form} onChange={(form) => setEditing({ ...editing, form })} />
            <TestOutcome result={test.result} />
            <div className="actions">
              <button type="button" onClick={() => (setEditing(null), test.clear())}>
                Cancel
              </button>
              <button type="button" onClick={() => test.run(editing.form)}>
                Test
              </button>
              <button type="button" className="primary" onClick={save}>
                Save
              </button>
            </div>
          </div>
        </div>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete target"
          text={`Stop probing ${deleting.name} and delete it? Its samples stay.`}
          confirm="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const id = deleting.id;
            setDeleting(null);
            deleteTarget(api, id).then(reload, say);
          }}
        />
      ) : null}
    </section>
  );
}
