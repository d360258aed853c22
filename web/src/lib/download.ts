// Saves text or a data: URL as a file through a temporary link (the browser's download).
export function downloadBlob(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  downloadUrl(name, url);
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function downloadUrl(name: string, url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function downloadText(name: string, text: string, type = 'text/csv') {
  downloadBlob(name, new Blob([text], { type }));
}
