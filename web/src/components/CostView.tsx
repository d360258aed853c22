// The Cost view: the spend per model per day of the last 30 days (GET /api/cost, from the cost
// each call was given when it ended), as a chart of daily bars stacked by model and a table with
// each model's cost per 1,000 calls, and the price table
// (GET /api/prices), whose prices are edited here: a new price costs the calls that end after it.
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { PriceEntry } from '../api/types';
import { costTable, usd, type CostTable } from '../lib/cost_table';
import { CostChart } from './CostChart';

interface Props {
  api: ApiClient;
  onError: (e: unknown) => void;
}

export function CostView({ api, onError }: Props) {
  const [table, setTable] = useState<CostTable | null>(null);
  const [prices, setPrices] = useState<PriceEntry[]>([]);
  const load = useCallback(() => {
    api.cost('model,day').then((r) => setTable(costTable(r.rows)), onError);
    api.prices().then((r) => setPrices(r.prices), onError);
  }, [api, onError]);
  useEffect(load, [load]);

  return (
    <section className="card cost" aria-label="cost">
      <h2>Cost, last 30 days</h2>
      {table && table.models.length > 0 ? <CostChart table={table} /> : null}
      {table && table.models.length > 0 ? (
        <table className="cost-table" data-testid="cost-table">
          <thead>
            <tr>
              <th>model</th>
              {table.days.map((d) => (
                <th key={d}>{d}</th>
              ))}
              <th>total</th>
              <th>calls</th>
              <th>per 1,000 calls</th>
            </tr>
          </thead>
          <tbody>
            {table.models.map((m) => (
              <tr key={`${m.provider}/${m.model}`}>
                <td>
                  {m.provider}/{m.model}
                </td>
                {table.days.map((d) => (
                  <td key={d}>{m.byDay[d] === undefined ? '' : usd(m.byDay[d])}</td>
                ))}
                <td data-testid="cost-total">{usd(m.spendUsd)}</td>
                <td>{m.calls}</td>
                <td>{usd(m.usdPer1000Calls)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No calls with a cost in the last 30 days.</p>
      )}
      <h3>Prices (USD per million tokens)</h3>
      <table className="price-table" data-testid="price-table">
        <thead>
          <tr>
            <th>model</th>
            <th>input</th>
            <th>output</th>
            <th>set</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {prices.map((p) => (
            <PriceRow key={`${p.provider}/${p.model}/${p.set_at}`} price={p} api={api} onSaved={load} onError={onError} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function PriceRow(p: { price: PriceEntry; api: ApiClient; onSaved: () => void; onError: (e: unknown) => void }) {
  const [input, setInput] = useState(String(p.price.input_usd_per_mtok));
  const [output, setOutput] = useState(String(p.price.output_usd_per_mtok));
  const { provider, model } = p.price;
  const save = () =>
    p.api.savePrice(provider, model, Number(input), Number(output)).then(p.onSaved, p.onError);
  return (
    <tr>
      <td>
        {provider}/{model}
      </td>
      <td>
        <input aria-label={`input price of ${provider}/${model}`} inputMode="decimal" value={input} onChange={(e) => setInput(e.target.value)} />
      </td>
      <td>
        <input aria-label={`output price of ${provider}/${model}`} inputMode="decimal" value={output} onChange={(e) => setOutput(e.target.value)} />
      </td>
      <td className="muted">
        {p.price.source === 'builtin' ? `built-in, ${p.price.set_at}` : p.price.set_at}
      </td>
      <td>
        <button type="button" onClick={save}>
          Save
        </button>
      </td>
    </tr>
  );
}
