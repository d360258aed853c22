// A modal question with Confirm / Cancel.
export function ConfirmDialog(p: { title: string; text: string; confirm: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div className="modal-backdrop" onClick={p.onCancel}>
      <div className="modal card small" role="alertdialog" aria-modal="true" aria-label={p.title} onClick={(e) => e.stopPropagation()}>
        <h2>{p.title}</h2>
        <p>{p.text}</p>
        <div className="actions">
          <button type="button" onClick={p.onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={p.onConfirm}>
            {p.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}
