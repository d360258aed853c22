// A list of named alerting items kept in the store beside the config file's (routes, mute
// windows; docs/design.md "Settings"): the file's are read-only, the stored ones have Edit and
// Delete. Below the list, one form adds an item, or edits the one whose Edit was pressed: filled
// in, its name fixed, saved with the version it was read at, so a change made meanwhile (by
// another tab or server) is refused with 409: the page shows the server's message, the list what
// is stored now, and the stale edit is closed, so that Edit starts again from the stored item.
import { Fragment, useState, type ReactNode } from 'react';
import type { Source } from '../api/alert_settings';
import { ApiError } from '../api/client';

export interface NamedItem {
  name: string;
  source: Source;
  version?: number;
}

// What an item's form gets: the item being edited (null: a new one), what to call with the body
// it builds (without the version), and how to give up an edit.
export interface ItemFormProps<T, B> {
  item: T | null;
  onSave: (body: B) => void;
  onCancel: () => void;
}

interface Props<T extends NamedItem, B extends object> {
  label: string; // the section's accessible name
  title: string;
  items: T[];
  describe: (item: T) => ReactNode;
  form: (props: ItemFormProps<T, B>) => ReactNode;
  save: (body: B & { version?: number }, isNew: boolean) => Promise<unknown>;
  remove: (name: string) => Promise<unknown>;
  onChanged: () => void;
  onError: (e: unknown) => void;
}

export function SettingsItems<T extends NamedItem, B extends object>({ label, title, items, describe, form, save, remove, onChanged, onError }: Props<T, B>) {
  const [editing, setEditing] = useState<T | null>(null);
  // Bumped after a save so that the form starts again empty.
  const [saves, setSaves] = useState(0);

  const onSave = (body: B) => {
    const sent: B & { version?: number } = editing ? { ...body, version: editing.version } : body;
    save(sent, editing === null).then(
      () => {
        setEditing(null);
        setSaves((n) => n + 1);
        onChanged();
      },
      (e: unknown) => {
        onError(e);
        if (e instanceof ApiError && e.status === 409) setEditing(null); // its version is stale
        onChanged(); // the list shows what is stored now (a 409: the change that came first)
      },
    );
  };
  return (
    <section className="settings-section" aria-label={label}>
      <h3>{title}</h3>
      <ul className="settings-list">
        {items.map((item) => (
          <li key={item.name} data-testid={`${label}-${item.name}`}>
            <strong>{item.name}</strong>: {describe(item)}{' '}
            {item.source === 'file' ? (
              <span className="muted">(config file, read-only)</span>
            ) : (
              <>
                <button type="button" onClick={() => setEditing(item)}>
                  Edit
                </button>{' '}
                <button type="button" onClick={() => remove(item.name).then(onChanged, onError)}>
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <Fragment key={editing ? `edit-${editing.name}` : `new-${saves}`}>
        {form({ item: editing, onSave, onCancel: () => setEditing(null) })}
      </Fragment>
    </section>
  );
}
