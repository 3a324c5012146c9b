/**
 * The ticket snapshot of shared/design/CONTRACT.md as a zod schema, and `parseSnapshot`, which lists
 * every problem of an input at once with a readable message and a path (`versions[0].releaseDate`).
 *
 * - Code fields take the code or its Russian/English label (`"Высокая"` → `high`); an unknown value is
 *   an error. `null` or `""` means not set.
 * - Instants are ISO 8601 WITH an offset (`2026-03-06T16:30:00+03:00` or `…Z`); dates are `YYYY-MM-DD`.
 * - `key`, `kind` and `registeredAt` are required. Missing impact, urgency, … are not schema errors: the
 *   verdict says it is incomplete and lists them.
 * - Unknown top-level fields are dropped (the contract may grow).
 *
 * Also the SLA record of compliance (`parseSlaRecord`), for the records JSONL of `reglament report`.
 */
import { z } from 'zod';
import { parseInstant } from '../domain/calendar/instant';
import { parseDate } from '../domain/calendar/dates';
import { codesOf, parseCode, type Dimension, type LABELS } from '../domain/codes';
import type { SlaRecord } from '../domain/compliance-types';
import type { Problem, Result } from '../domain/policy-validate';
import type { Snapshot } from '../domain/snapshot';

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

type Ctx = z.RefinementCtx;
const fail = (ctx: Ctx, message: string): typeof z.NEVER => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** A required or optional leaf: `read` returns the value or calls `fail`. */
function required<T>(what: string, read: (v: unknown, ctx: Ctx) => T) {
  return z.unknown().transform((v, ctx): T => (unset(v) ? fail(ctx, `${what} is required`) : read(v, ctx)));
}
function optional<T>(read: (v: unknown, ctx: Ctx) => T) {
  return z
    .unknown()
    .transform((v, ctx): T | undefined => (unset(v) ? undefined : read(v, ctx)))
    .optional();
}
/** Like `optional` but keeps an explicit null (e.g. `resolvedAt: null`). */
function nullable<T>(read: (v: unknown, ctx: Ctx) => T) {
  return z
    .unknown()
    .transform((v, ctx): T | null | undefined =>
      v === null ? null : v === undefined || v === '' ? undefined : read(v, ctx),
    )
    .optional();
}

const code =
  <D extends Dimension>(dimension: D) =>
  (v: unknown, ctx: Ctx): keyof (typeof LABELS)[D] =>
    parseCode(dimension, v) ??
    fail(ctx, `${show(v)} is not one of ${codesOf(dimension).join(', ')} (or their Russian labels)`);

const text = (v: unknown, ctx: Ctx): string =>
  typeof v === 'string' && v.trim() !== '' ? v : fail(ctx, `must be non-empty text, got ${show(v)}`);

const instant = (v: unknown, ctx: Ctx): string => {
  if (typeof v !== 'string') return fail(ctx, `must be an ISO 8601 date-time with an offset, got ${show(v)}`);
  try {
    parseInstant(v);
    return v;
  } catch (e) {
    return fail(ctx, (e as Error).message);
  }
};

const date = (v: unknown, ctx: Ctx): string =>
  parseDate(v) !== undefined
    ? (v as string)
    : fail(ctx, `must be a calendar date YYYY-MM-DD, got ${show(v)}`);

const instantOrDate = (v: unknown, ctx: Ctx): string =>
  parseDate(v) !== undefined ? (v as string) : instant(v, ctx);

const bool = (v: unknown, ctx: Ctx): boolean =>
  typeof v === 'boolean' ? v : fail(ctx, `must be true or false, got ${show(v)}`);

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown, ctx: Ctx): T =>
    values.includes(v as T) ? (v as T) : fail(ctx, `must be one of ${values.join(', ')}, got ${show(v)}`);

const obj = <S extends z.ZodRawShape>(shape: S, what: string) =>
  z.object(shape, { error: (iss) => `${what} must be an object, got ${show(iss.input)}` });

const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: (iss) => `${what} must be a list, got ${show(iss.input)}` }).optional();

const linkedIncident = obj(
  { impact: optional(code('impact')), urgency: optional(code('urgency')), mode: optional(code('mode')) },
  'a linked incident',
);

const version = obj(
  { name: required('the version name', text), releaseDate: nullable(date), released: optional(bool) },
  'a version',
);

const reaction = obj(
  {
    at: required('the reaction instant', instant),
    type: required('the reaction type', oneOf(['status', 'comment', 'assignee'] as const)),
    authorRole: optional(oneOf(['reporter', 'agent', 'other'] as const)),
  },
  'a reaction',
);

const override = obj(
  {
    value: required('the override value', (v, ctx) =>
      typeof v === 'number' && Number.isInteger(v) ? v : fail(ctx, `must be a whole number, got ${show(v)}`),
    ),
    reason: required('the override reason (source §4.6.2)', text),
  },
  'the priority override',
);

const HISTORY_FIELDS = [
  'impact',
  'urgency',
  'mode',
  'nature',
  'workaround',
  'priorityOverride',
  'agreedDeadline',
] as const;

/** A history value: codes for the code fields (labels accepted), as given for the others; null = unset. */
const historyEntry = z
  .object(
    {
      field: required('the history field', oneOf(HISTORY_FIELDS)),
      from: z.unknown().optional(),
      to: z.unknown().optional(),
      at: required('the instant of the change', instant),
      by: optional(text),
    },
    { error: (iss) => `a history entry must be an object, got ${show(iss.input)}` },
  )
  .transform((e, ctx) => {
    const value = (v: unknown, side: 'from' | 'to'): unknown => {
      if (unset(v)) return null;
      if (e.field === 'priorityOverride' || e.field === 'agreedDeadline') return v;
      const c = parseCode(e.field, v);
      if (c === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [side],
          message: `${show(v)} is not one of ${codesOf(e.field).join(', ')} (or their Russian labels)`,
        });
      return c;
    };
    return {
      field: e.field,
      from: value(e.from, 'from'),
      to: value(e.to, 'to'),
      at: e.at,
      ...(e.by !== undefined ? { by: e.by } : {}),
    };
  });

const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const contact = z
  .object({
    name: z.string().optional(),
    email: z
      .string()
      .refine((v) => EMAIL_RE.test(v), { message: 'must be an e-mail address' })
      .optional(),
  })
  .strip();
/** The ticket's people for notifications (issue #16): unknown roles are dropped. */
const contactsSchema = z
  .object({
    assignee: contact.optional(),
    reporter: contact.optional(),
    customerContact: contact.optional(),
    projectLead: contact.optional(),
  })
  .strip();

/** The snapshot schema (zod). Prefer `parseSnapshot`, which adds the cross-field checks. */
export const snapshotSchema = obj(
  {
    id: optional(text),
    key: required('key', text),
    kind: required('kind', code('kind')),
    registeredAt: required('registeredAt', instant),
    updatedAt: optional(instant),
    history: list(historyEntry, 'history'),
    contacts: contactsSchema.optional(),
    impact: optional(code('impact')),
    urgency: optional(code('urgency')),
    mode: optional(code('mode')),
    nature: optional(code('nature')),
    workaround: optional(code('workaround')),
    priorityOverride: override.nullable().optional(),
    linkedIncidents: list(linkedIncident, 'linkedIncidents'),
    versions: list(version, 'versions'),
    fixVersion: nullable(text),
    agreedDeadline: nullable(instantOrDate),
    estimateAt: nullable(instant),
    reactions: list(reaction, 'reactions'),
    resolvedAt: nullable(instant),
    project: optional(text),
    summary: optional((v, ctx) => (typeof v === 'string' ? v : fail(ctx, `must be text, got ${show(v)}`))),
  },
  'the snapshot',
);

// The schema's output must be a Snapshot (compile-time check).
const _isSnapshot = (s: z.output<typeof snapshotSchema>): Snapshot => s;
void _isSnapshot;

/** `['versions', 0, 'releaseDate']` → `versions[0].releaseDate`. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function problems(error: z.ZodError): Problem[] {
  return error.issues.map((i) => ({ path: pathText(i.path), message: i.message }));
}

/** Drops keys whose value is undefined (so the snapshot serialises as it came). */
function compact<T extends object>(o: T): T {
  // A loop, not entries → filter → fromEntries (three arrays per snapshot; issue #14, the event loop).
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/**
 * Validates a snapshot from JSON and lists every problem.
 * @example parseSnapshot({ key: 'SUP-1', kind: 'Инцидент', registeredAt: '2026-03-06T16:30:00+03:00', impact: 'Высокая' })
 * // => { ok: true, value: { key: 'SUP-1', kind: 'incident', registeredAt: '2026-03-06T16:30:00+03:00', impact: 'high' } }
 * @example parseSnapshot({ key: 'SUP-1', kind: 'incident', registeredAt: '2026-03-06T16:30', impact: 'huge' }).errors
 * // => [{ path: 'registeredAt', message: 'instant must be ISO 8601 with an offset, …' },
 * //     { path: 'impact', message: '"huge" is not one of high, medium, low (or their Russian labels)' }]
 */
export function parseSnapshot(json: unknown): Result<Snapshot> {
  const r = snapshotSchema.safeParse(json);
  const errors = r.success ? [] : problems(r.error);
  // Cross-field: the override's range depends on the kind (incident level 1–5, error score 1–10).
  const raw = json as Record<string, unknown> | null;
  const kind = typeof raw === 'object' && raw !== null ? parseCode('kind', raw.kind) : undefined;
  const ov = kind && (raw?.priorityOverride as Record<string, unknown> | null | undefined);
  if (kind && ov && typeof ov === 'object' && typeof ov.value === 'number' && Number.isInteger(ov.value)) {
    const max = kind === 'incident' ? 5 : 10;
    if (ov.value < 1 || ov.value > max) {
      errors.push({
        path: 'priorityOverride.value',
        message: `an ${kind} priority override must be from 1 to ${max}, got ${ov.value}`,
      });
    }
  }
  if (!r.success || errors.length > 0) return { ok: false, errors };
  const s = compact(r.data) as Snapshot;
  if (s.linkedIncidents) s.linkedIncidents = s.linkedIncidents.map(compact);
  if (s.versions) s.versions = s.versions.map(compact);
  if (s.reactions) s.reactions = s.reactions.map(compact);
  return { ok: true, value: s };
}

/** The SLA record schema (compliance input; one JSON object per line of `reglament report`). */
export const slaRecordSchema = obj(
  {
    key: required('key', text),
    kind: required('kind', code('kind')),
    class: nullable(code('class')),
    due: nullable(instant),
    doneAt: nullable(instant),
    agreed: optional(bool),
    agreedDue: nullable(instant),
    breached: optional(bool),
    waived: optional(bool),
    project: optional(text),
    registeredAt: optional(instant),
    customer: nullable(text),
  },
  'the record',
);

/**
 * Validates one SLA record and lists every problem.
 * @example parseSlaRecord({ key: 'E-1', kind: 'error', class: 'high', due: '2026-03-24T18:00:00+03:00', doneAt: null }).ok // => true
 */
export function parseSlaRecord(json: unknown): Result<SlaRecord> {
  const r = slaRecordSchema.safeParse(json);
  if (!r.success) return { ok: false, errors: problems(r.error) };
  const d = r.data;
  return {
    ok: true,
    value: compact({ ...d, class: d.class ?? null, due: d.due ?? null, doneAt: d.doneAt ?? null }),
  };
}
