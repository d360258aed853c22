// Asks for the API key once; the page keeps it in localStorage. Shows why it asks again (401).
import { useState } from 'react';

export function KeyPrompt({ message, onKey }: { message?: string; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <div className="key-prompt card">
      <h1>LLMscope</h1>
      {message ? (
        <p className="alert" role="alert">
          {message}
        </p>
      ) : (
        <p>Enter the API key of this server once; this browser keeps it.</p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <label>
          API key
          <input
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-label="API key"
            autoFocus
          />
        </label>
        <button type="submit">Save key</button>
      </form>
      <p className="muted">
        The key is LLMSCOPE_API_KEY, or the file <code>api_key</code> in the server's data directory.
      </p>
    </div>
  );
}
