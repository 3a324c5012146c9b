/**
 * The issue actions' logic without a browser: which form a module key or `?action=` asks for, the
 * "Split request" parts list (add, remove, edit; every problem at once) and the requests the forms
 * send. Pure, so the component tests import it.
 */
import type { RegisterErrorRequest, SplitPartInput } from '../../src/contract/api';
import { IMPACTS, MODES, NATURES, URGENCIES, WORKAROUNDS, type Workaround } from '../../src/domain/codes';

export const ACTIONS = ['register-error', 'split-request'] as const;
export type ActionKind = (typeof ACTIONS)[number];

/**
 * The form to show: the Forge module key (`register-error`, `split-request`) inside Jira, else the
 * service's `?action=`. A module key may carry a prefix (`…:register-error`), so the end is compared.
 * @example actionOf('split-request', null) // 'split-request'
 * @example actionOf(undefined, 'register-error') // 'register-error'
 */
export function actionOf(
  moduleKey: string | null | undefined,
  param: string | null | undefined,
): ActionKind | null {
  for (const candidate of [moduleKey, param]) {
    if (!candidate) continue;
    const found = ACTIONS.find(
      (a) => candidate === a || candidate.endsWith(`:${a}`) || candidate.endsWith(`/${a}`),
    );
    if (found) return found;
  }
  return null;
}

/** The codes a part may set; empty = carried over from the original request. */
export const PART_FIELDS = ['impact', 'urgency', 'mode', 'nature'] as const;
export type PartField = (typeof PART_FIELDS)[number];
export const PART_CODES: Readonly<Record<PartField, readonly string[]>> = {
  impact: IMPACTS,
  urgency: URGENCIES,
  mode: MODES,
  nature: NATURES,
};

/** At most this many parts per split (the backend's limit, src/app/escalation.ts MAX_SPLIT_PARTS). */
export const MAX_PARTS = 20;

export interface PartDraft {
  /** Stable id (React key, input ids); not sent. */
  id: number;
  summary: string;
  description: string;
  impact: string;
  urgency: string;
  mode: string;
  nature: string;
}

export interface PartsState {
  parts: PartDraft[];
  nextId: number;
}

const blank = (id: number): PartDraft => ({
  id,
  summary: '',
  description: '',
  impact: '',
  urgency: '',
  mode: '',
  nature: '',
});

/** A list of `n` empty parts (at least one). */
export function initialParts(n = 1): PartsState {
  const count = Math.max(1, Math.min(MAX_PARTS, n));
  return { parts: Array.from({ length: count }, (_, i) => blank(i + 1)), nextId: count + 1 };
}

/** Appends an empty part; unchanged at MAX_PARTS. */
export function addPart(s: PartsState): PartsState {
  if (s.parts.length >= MAX_PARTS) return s;
  return { parts: [...s.parts, blank(s.nextId)], nextId: s.nextId + 1 };
}

/** Removes a part; the last one stays (a split has at least one part). */
export function removePart(s: PartsState, id: number): PartsState {
  if (s.parts.length <= 1) return s;
  const parts = s.parts.filter((p) => p.id !== id);
  return parts.length === s.parts.length ? s : { ...s, parts };
}

/** Changes fields of one part. */
export function updatePart(s: PartsState, id: number, patch: Partial<Omit<PartDraft, 'id'>>): PartsState {
  return { ...s, parts: s.parts.map((p) => (p.id === id ? { ...p, ...patch } : p)) };
}

export type PartProblem =
  | { code: 'summary-required'; index: number; id: number }
  | { code: 'bad-code'; index: number; id: number; field: PartField }
  | { code: 'too-many' };

/**
 * Every problem of the parts at once: a summary is required for each part; a code must be one of the
 * regulation's (or empty); at most MAX_PARTS parts.
 */
export function partProblems(parts: readonly PartDraft[]): PartProblem[] {
  const out: PartProblem[] = [];
  if (parts.length > MAX_PARTS) out.push({ code: 'too-many' });
  parts.forEach((p, index) => {
    if (p.summary.trim() === '') out.push({ code: 'summary-required', index, id: p.id });
    for (const field of PART_FIELDS) {
      const v = p[field];
      if (v !== '' && !PART_CODES[field].includes(v)) out.push({ code: 'bad-code', index, id: p.id, field });
    }
  });
  return out;
}

/** The parts as `splitRequest` takes them: trimmed, empty fields left out (carried over). */
export function toSplitParts(parts: readonly PartDraft[]): SplitPartInput[] {
  return parts.map((p) => {
    const out: SplitPartInput = { summary: p.summary.trim() };
    const description = p.description.trim();
    if (description !== '') out.description = description;
    for (const field of PART_FIELDS) if (p[field] !== '') out[field] = p[field];
    return out;
  });
}

/** The `registerError` request: an empty summary or issue type is left to the backend's default. */
export function registerRequest(
  key: string,
  form: { summary: string; workaround: string; issueType?: string },
): RegisterErrorRequest {
  const req: RegisterErrorRequest = { key };
  const summary = form.summary.trim();
  if (summary !== '') req.summary = summary;
  if (form.issueType && form.issueType.trim() !== '') req.issueType = form.issueType.trim();
  if ((WORKAROUNDS as readonly string[]).includes(form.workaround))
    req.workaround = form.workaround as Workaround;
  return req;
}
