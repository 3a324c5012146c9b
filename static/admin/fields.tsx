/**
 * Inputs bound to the policy draft: each knows its path, shows what was typed, and marks itself
 * invalid (with the problem text linked by aria-describedby) when a problem belongs to it.
 */
import React, { createContext, useContext } from 'react';
import type { Problem } from '../../src/domain/policy-validate';
import { useT } from '../shared/ui';
import { formatNumberValue, getAt, problemsFor, problemText, type Draft } from './model';

export interface DraftEditor {
  draft: Draft;
  texts: Record<string, string>;
  problems: Problem[];
  readOnly: boolean;
  /** Sets a number field from typed text (scale 100 for percents). */
  setNumber(path: string, text: string, scale?: number): void;
  setValue(path: string, value: unknown): void;
}

export const DraftCtx = createContext<DraftEditor | null>(null);

export function useDraft(): DraftEditor {
  const d = useContext(DraftCtx);
  if (!d) throw new Error('useDraft outside the editor');
  return d;
}

/** DOM id of the input at a path. */
export const inputId = (path: string) => `f-${path.replace(/[^\w-]/g, '_')}`;

export function NumField({
  path,
  label,
  scale = 1,
  hideLabel = true,
  wide = false,
}: {
  path: string;
  label: string;
  scale?: number;
  hideLabel?: boolean;
  wide?: boolean;
}) {
  const d = useDraft();
  const t = useT();
  const mine = problemsFor(d.problems, path);
  const id = inputId(path);
  const text = d.texts[path] ?? formatNumberValue(getAt(d.draft, path), scale);
  const input = (
    <input
      id={id}
      className={`rg-input ${wide ? '' : 'rg-input-num'}`}
      inputMode="decimal"
      value={text}
      readOnly={d.readOnly}
      aria-label={hideLabel ? label : undefined}
      aria-invalid={mine.length > 0}
      aria-describedby={mine.length > 0 ? `${id}-err` : undefined}
      data-path={path}
      onChange={(e) => d.setNumber(path, e.target.value, scale)}
    />
  );
  const err =
    mine.length > 0 ? (
      <span id={`${id}-err`} className="rg-visually-hidden">
        {mine.map((p) => problemText(p, d.draft, t)).join(' ')}
      </span>
    ) : null;
  if (hideLabel)
    return (
      <>
        {input}
        {err}
      </>
    );
  return (
    <div className="rg-field">
      <label htmlFor={id}>{label}</label>
      {input}
      {mine.length > 0 && (
        <span className="rg-error-text" aria-hidden="true">
          {mine.map((p) => problemText(p, d.draft, t)).join(' ')}
        </span>
      )}
      {err}
    </div>
  );
}

/** The problems of a section (paths under `prefix`), listed under it. */
export function SectionProblems({ prefixes }: { prefixes: string[] }) {
  const d = useDraft();
  const t = useT();
  const mine = d.problems.filter((p) =>
    prefixes.some((pre) => p.path === pre || p.path.startsWith(`${pre}.`)),
  );
  if (mine.length === 0) return null;
  return (
    <ul className="rg-error-list">
      {mine.map((p, i) => (
        <li key={i} className="rg-error-text">
          {problemText(p, d.draft, t)}
        </li>
      ))}
    </ul>
  );
}
