/**
 * The admin page's "Customers" tab (issue #17): customers, their identities and contracts (support
 * certificates), validated as typed (every problem next to its input), saved on its own; CSV export
 * and import (one row per contract, src/domain/contracts-csv.ts).
 */
import React, { useMemo, useRef, useState } from 'react';
import { CONTRACT_CALENDARS, CONTRACT_PRESETS, ZONE_MODES } from '../../src/domain/contracts';
import { customersFromCsv, customersToCsv, mergeCustomers } from '../../src/domain/contracts-csv';
import type { Problem } from '../../src/domain/policy-validate';
import type { SettingsView } from '../../src/contract/api';
import { useUi } from '../shared/ui';
import {
  configOf,
  ctext,
  draftOf,
  newContract,
  newCustomer,
  problemsAt,
  type ContractDraft,
  type CustomerDraft,
  type CustomersText,
} from './customers-model';

const idOf = (path: string) => `cu-${path.replace(/[^\w-]/g, '_')}`;

export function CustomersTab({ initial, readOnly }: { initial: SettingsView; readOnly: boolean }) {
  const { client, env } = useUi();
  const tx = (k: CustomersText, p?: Record<string, string | number>) => ctext(env.locale, k, p);
  const [draft, setDraft] = useState<CustomerDraft[]>(() => draftOf(initial.customers));
  const baseline = useRef(JSON.stringify(draftOf(initial.customers)));
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [csv, setCsv] = useState('');
  const [csvNote, setCsvNote] = useState<{ ok: boolean; text: string } | null>(null);
  const local = useMemo(() => configOf(draft), [draft]);
  const problems = local.ok ? serverProblems : local.errors;
  const dirty = JSON.stringify(draft) !== baseline.current;

  const update = (fn: (d: CustomerDraft[]) => void) =>
    setDraft((d) => {
      const next = structuredClone(d);
      fn(next);
      setServerProblems([]);
      setSaveState('idle');
      return next;
    });

  const save = async () => {
    if (!local.ok) return;
    setSaveState('saving');
    const r = await client.call('saveSettings', { customers: local.value });
    if (r.ok) {
      baseline.current = JSON.stringify(draft);
      setSaveState('saved');
    } else {
      setServerProblems(r.errors);
      setSaveState('idle');
    }
  };

  const field = (
    path: string,
    label: string,
    value: string,
    set: (v: string) => void,
    opts: { type?: string; choices?: readonly string[]; choiceKey?: string; wide?: boolean } = {},
  ) => {
    const mine = problemsAt(problems, path);
    const id = idOf(path);
    const common = {
      id,
      'data-path': path,
      'aria-invalid': mine.length > 0,
      'aria-describedby': mine.length > 0 ? `${id}-err` : undefined,
      disabled: readOnly,
    };
    return (
      <div className="rg-field">
        <label htmlFor={id}>{label}</label>
        {opts.choices ? (
          <select {...common} className="rg-select" value={value} onChange={(e) => set(e.target.value)}>
            {opts.choices.map((c) => (
              <option key={c} value={c}>
                {tx(`${opts.choiceKey}.${c}` as CustomersText)}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...common}
            className={`rg-input${opts.wide ? ' rg-input-wide' : ''}`}
            type={opts.type ?? 'text'}
            value={value}
            onChange={(e) => set(e.target.value)}
          />
        )}
        {mine.length > 0 && (
          <span id={`${id}-err`} className="rg-error-text">
            {mine.map((p) => p.message).join(' ')}
          </span>
        )}
      </div>
    );
  };

  const contractRow = (ci: number, ki: number, k: ContractDraft) => {
    const at = `customers.${ci}.contracts.${ki}`;
    const set = (f: keyof ContractDraft) => (v: string) =>
      update((d) => {
        d[ci]!.contracts[ki]![f] = v;
      });
    return (
      <fieldset key={ki} className="rg-fieldset" data-testid={`contract-${ci}-${ki}`}>
        <legend>{k.certificate || tx('certificate')}</legend>
        <div className="rg-row">
          {field(`${at}.certificate`, tx('certificate'), k.certificate, set('certificate'))}
          {field(`${at}.validFrom`, tx('validFrom'), k.validFrom, set('validFrom'), { type: 'date' })}
          {field(`${at}.validTo`, tx('validTo'), k.validTo, set('validTo'), { type: 'date' })}
        </div>
        <div className="rg-row">
          {field(`${at}.preset`, tx('preset'), k.preset, set('preset'), {
            choices: CONTRACT_PRESETS,
            choiceKey: 'preset',
          })}
          {field(`${at}.calendar`, tx('calendar'), k.calendar, set('calendar'), {
            choices: CONTRACT_CALENDARS,
            choiceKey: 'calendar',
          })}
          {field(`${at}.zone`, tx('zone'), k.zone, set('zone'))}
          {field(`${at}.zoneMode`, tx('zoneMode'), k.zoneMode, set('zoneMode'), {
            choices: ZONE_MODES,
            choiceKey: 'zoneMode',
          })}
        </div>
        <div className="rg-row">
          {field(`${at}.instances`, tx('instances'), k.instances, set('instances'), { wide: true })}
          {field(`${at}.contacts`, tx('contacts'), k.contacts, set('contacts'), { wide: true })}
        </div>
        {!readOnly && (
          <button
            type="button"
            className="rg-button"
            onClick={() =>
              update((d) => {
                d[ci]!.contracts.splice(ki, 1);
              })
            }
          >
            {tx('removeContract')}
          </button>
        )}
      </fieldset>
    );
  };

  const exportCsv = () => {
    setCsv(local.ok ? customersToCsv(local.value) : '');
    setCsvNote(null);
  };
  const importCsv = () => {
    const r = customersFromCsv(csv);
    if (!r.ok) {
      setCsvNote({ ok: false, text: r.errors.map((e) => `${e.path}: ${e.message}`).join('\n') });
      return;
    }
    const current = local.ok ? local.value : { customers: [] };
    setDraft(draftOf(mergeCustomers(current, r.value)));
    setServerProblems([]);
    setSaveState('idle');
    setCsvNote({ ok: true, text: tx('imported', { n: r.value.customers.length }) });
  };

  return (
    <div data-testid="customers-tab">
      <p className="rg-muted">{tx('intro')}</p>
      <div className="rg-savebar">
        <button
          type="button"
          className="rg-button rg-button-primary"
          data-testid="customers-save"
          disabled={readOnly || !local.ok || !dirty || saveState === 'saving'}
          onClick={() => void save()}
        >
          {saveState === 'saving' ? tx('saving') : tx('save')}
        </button>
        <span role="status" className="rg-save-status" data-testid="customers-status">
          {saveState === 'saved' && !dirty && tx('saved')}
        </span>
      </div>
      {problems.length > 0 && (
        <div className="rg-banner rg-banner-error" role="alert" data-testid="customers-problems">
          <strong>{tx('problems', { n: problems.length })}</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.path}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {draft.length === 0 && <p className="rg-muted">{tx('none')}</p>}
      {draft.map((c, ci) => {
        const set = (f: 'id' | 'name' | 'identities') => (v: string) =>
          update((d) => {
            d[ci]![f] = v;
          });
        return (
          <section key={ci} className="rg-section" data-testid={`customer-${ci}`}>
            <h3>{c.name || c.id || tx('name')}</h3>
            <div className="rg-row">
              {field(`customers.${ci}.id`, tx('id'), c.id, set('id'))}
              {field(`customers.${ci}.name`, tx('name'), c.name, set('name'), { wide: true })}
            </div>
            {field(`customers.${ci}.identities`, tx('identities'), c.identities, set('identities'), {
              wide: true,
            })}
            <h4>{tx('contracts')}</h4>
            {c.contracts.map((k, ki) => contractRow(ci, ki, k))}
            {!readOnly && (
              <div className="rg-row">
                <button
                  type="button"
                  className="rg-button"
                  data-testid={`add-contract-${ci}`}
                  onClick={() =>
                    update((d) => {
                      d[ci]!.contracts.push(newContract());
                    })
                  }
                >
                  {tx('addContract')}
                </button>
                <button
                  type="button"
                  className="rg-button"
                  onClick={() =>
                    update((d) => {
                      d.splice(ci, 1);
                    })
                  }
                >
                  {tx('remove')}
                </button>
              </div>
            )}
          </section>
        );
      })}
      {!readOnly && (
        <button
          type="button"
          className="rg-button"
          data-testid="add-customer"
          onClick={() =>
            update((d) => {
              d.push(newCustomer());
            })
          }
        >
          {tx('add')}
        </button>
      )}
      <section className="rg-section">
        <h3>
          <label htmlFor="customers-csv">{tx('csv')}</label>
        </h3>
        <textarea
          id="customers-csv"
          data-testid="customers-csv"
          className="rg-input rg-input-wide"
          rows={6}
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
        />
        <div className="rg-row">
          <button type="button" className="rg-button" data-testid="customers-export" onClick={exportCsv}>
            {tx('export')}
          </button>
          {!readOnly && (
            <button type="button" className="rg-button" data-testid="customers-import" onClick={importCsv}>
              {tx('import')}
            </button>
          )}
          {csv !== '' && (
            <a
              className="rg-button"
              download="customers.csv"
              href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}
            >
              {tx('download')}
            </a>
          )}
        </div>
        {csvNote && (
          <ul
            className={csvNote.ok ? 'rg-muted' : 'rg-error-list'}
            role={csvNote.ok ? 'status' : 'alert'}
            data-testid="customers-csv-note"
          >
            {csvNote.text.split('\n').map((line, i) => (
              <li key={i} className={csvNote.ok ? undefined : 'rg-error-text'}>
                {line}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
