/**
 * The admin page's escalation editor without a browser (settings.escalation, src/domain/escalation.ts):
 * a draft where every control keeps what was typed or chosen, its conversion to the settings document
 * `saveSettings({ escalation })` takes, every problem at once (the domain's own validator, bundled into
 * the page, plus what only the page can see: a column without a key, a project twice), and each
 * problem in the viewer's language, named by where it is (project and setting).
 */
import {
  DEFAULT_ESCALATION_SETTINGS,
  validateEscalationConfig,
  type EscalationConfig,
  type EscalationSettings,
} from '../../src/domain/escalation';
import type { Problem } from '../../src/domain/policy-validate';
import type { Translator } from '../shared/i18n';
import { parseNumberInput } from './model';

export type EscField = keyof EscalationSettings;

/** The settings in the order the page shows them. */
export const ESC_FIELDS: readonly EscField[] = [
  'comments',
  'notifyAssignee',
  'group',
  'language',
  'states',
  'labels',
  'customerComments',
  'visitNoticeDays',
  'flagOtherVersions',
  'currentVersion',
  'errorLinkType',
  'splitLinkType',
];

export type FieldKind = 'bool' | 'choice' | 'number' | 'text' | 'group';
export const FIELD_KIND: Readonly<Record<EscField, FieldKind>> = {
  comments: 'bool',
  labels: 'bool',
  notifyAssignee: 'bool',
  group: 'group',
  language: 'choice',
  states: 'choice',
  customerComments: 'bool',
  visitNoticeDays: 'number',
  flagOtherVersions: 'bool',
  currentVersion: 'choice',
  errorLinkType: 'text',
  splitLinkType: 'text',
};

/** The values a choice offers (booleans: 'true' / 'false'; states: the announced states joined by commas). */
export const CHOICES: Readonly<Partial<Record<EscField, readonly string[]>>> = {
  comments: ['true', 'false'],
  labels: ['true', 'false'],
  notifyAssignee: ['true', 'false'],
  customerComments: ['true', 'false'],
  flagOtherVersions: ['true', 'false'],
  language: ['ru', 'en'],
  states: ['at-risk,breached', 'breached', 'at-risk', ''],
  currentVersion: ['release-line', 'latest'],
};

/**
 * A control's value: text as typed or chosen. `group` is null for "no group". In a project column an
 * absent field takes the default (the first column).
 */
export type EscValue = string | null;

export interface ProjectColumn {
  /** Stable id (React key); not saved. */
  id: number;
  /** As typed; saved upper-cased. */
  key: string;
  values: Partial<Record<EscField, EscValue>>;
}

export interface EscalationDraft {
  defaults: Record<EscField, EscValue>;
  projects: ProjectColumn[];
}

/** A setting's value as its control shows it. */
export function toControl(field: EscField, value: unknown): EscValue {
  if (field === 'group') return typeof value === 'string' && value !== '' ? value : null;
  if (field === 'states')
    return Array.isArray(value) ? ['at-risk', 'breached'].filter((s) => value.includes(s)).join(',') : '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : '';
}

/** The draft of the saved settings (absent: the built-in defaults, no project columns). */
export function fromConfig(config: Partial<EscalationConfig> | undefined): EscalationDraft {
  const merged = { ...DEFAULT_ESCALATION_SETTINGS, ...(config?.defaults ?? {}) };
  const defaults = Object.fromEntries(ESC_FIELDS.map((f) => [f, toControl(f, merged[f])])) as Record<
    EscField,
    EscValue
  >;
  const projects = Object.entries(config?.projects ?? {}).map(([key, own], i) => ({
    id: i + 1,
    key,
    values: Object.fromEntries(
      ESC_FIELDS.filter((f) => own[f] !== undefined).map((f) => [f, toControl(f, own[f])]),
    ) as Partial<Record<EscField, EscValue>>,
  }));
  return { defaults, projects };
}

/** A project column's key as saved. */
export const projectKeyOf = (typed: string): string => typed.trim().toUpperCase();

/**
 * What a control's value means in the document. Booleans and numbers are converted; what cannot be
 * converted (a typed "abc", an empty number) is passed on as typed, so the validator reports it.
 */
function fromControl(field: EscField, value: EscValue, inDefaults: boolean): unknown {
  switch (FIELD_KIND[field]) {
    case 'bool':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'number': {
      const n = parseNumberInput(value ?? '');
      return n === undefined ? (inDefaults ? '' : undefined) : n;
    }
    case 'group':
      return value === null ? null : value;
    case 'choice':
      return field === 'states' ? (value ? value.split(',') : []) : value;
    default:
      return value ?? '';
  }
}

/** The settings document to save (unvalidated: what the controls say). */
export function toConfig(draft: EscalationDraft): {
  defaults: Record<string, unknown>;
  projects: Record<string, Record<string, unknown>>;
} {
  const defaults: Record<string, unknown> = {};
  for (const f of ESC_FIELDS) {
    const v = fromControl(f, draft.defaults[f], true);
    if (v !== undefined) defaults[f] = v;
  }
  const projects: Record<string, Record<string, unknown>> = {};
  for (const p of draft.projects) {
    const own: Record<string, unknown> = {};
    for (const f of ESC_FIELDS) {
      if (!(f in p.values) || p.values[f] === undefined) continue;
      const v = fromControl(f, p.values[f] as EscValue, false);
      if (v !== undefined) own[f] = v;
    }
    projects[projectKeyOf(p.key)] = own;
  }
  return { defaults, projects };
}

export const MISSING_KEY = 'has no project key';
export const DUPLICATE_KEY = 'is listed twice';

/**
 * Every problem of the draft, paths as the backend reports them (`escalation.projects.SUP.language`).
 * @example validateEscalationDraft(draftWithDays('61'))
 * // => [{ path: 'escalation.defaults.visitNoticeDays', message: 'must be a whole number of working days from 0 to 60' }]
 */
export function validateEscalationDraft(draft: EscalationDraft): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  for (const p of draft.projects) {
    const key = projectKeyOf(p.key);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  if ((seen.get('') ?? 0) > 0) problems.push({ path: 'escalation.projects.', message: MISSING_KEY });
  for (const [key, n] of seen)
    if (key !== '' && n > 1) problems.push({ path: `escalation.projects.${key}`, message: DUPLICATE_KEY });
  // each column on its own, so two columns of one project both show their problems
  const config = toConfig(draft);
  const documents: unknown[] = [{ defaults: config.defaults }];
  for (const p of draft.projects) {
    const key = projectKeyOf(p.key);
    if (key !== '')
      documents.push({ projects: { [key]: toConfig({ ...draft, projects: [p] }).projects[key] } });
  }
  const seenProblem = new Set<string>();
  for (const doc of documents) {
    const r = validateEscalationConfig(doc);
    if (r.ok) continue;
    for (const e of r.errors) {
      const problem = { path: e.path ? `escalation.${e.path}` : 'escalation', message: e.message };
      const id = `${problem.path}\u0000${problem.message}`;
      if (!seenProblem.has(id)) {
        seenProblem.add(id);
        problems.push(problem);
      }
    }
  }
  return problems;
}

/** Where a problem is: the column (defaults or a project) and the setting, when the path names them. */
export function locateProblem(path: string): { scope: 'defaults' | string | null; field: EscField | null } {
  const m = /^escalation\.(?:(defaults)|projects\.([^.]*))(?:\.(\w+))?$/.exec(path);
  if (!m) return { scope: null, field: null };
  const field = (ESC_FIELDS as readonly string[]).includes(m[3] ?? '') ? (m[3] as EscField) : null;
  return { scope: m[1] ? 'defaults' : (m[2] ?? ''), field };
}

/** The label of a control's value in the viewer's language ("On", "Russian", "At risk and breached", …). */
export function valueLabel(field: EscField, value: EscValue, t: Translator): string {
  if (value === null) return t('admin.esc.group.none');
  switch (field) {
    case 'language':
      return value === 'ru' || value === 'en' ? t(`admin.esc.language.${value}`) : value;
    case 'states':
      return value === 'at-risk,breached'
        ? t('admin.esc.states.both')
        : value === 'breached'
          ? t('admin.esc.states.breached')
          : value === 'at-risk'
            ? t('admin.esc.states.at-risk')
            : value === ''
              ? t('admin.esc.states.none')
              : value;
    case 'currentVersion':
      return value === 'release-line' || value === 'latest' ? t(`admin.esc.currentVersion.${value}`) : value;
    default:
      if (FIELD_KIND[field] === 'bool')
        return value === 'true' ? t('admin.esc.on') : value === 'false' ? t('admin.esc.off') : value;
      return value;
  }
}

/** A problem of the escalation settings in the viewer's language: "Project SUP · Language of the comments: …". */
export function escalationProblemText(problem: Problem, t: Translator): string {
  const { scope, field } = locateProblem(problem.path);
  if (scope === null) return problem.message;
  if (problem.message === MISSING_KEY) return t('problem.esc.projectMissing');
  if (problem.message === DUPLICATE_KEY) return t('problem.esc.duplicate', { key: scope });
  if (scope !== 'defaults' && field === null && /project key/.test(problem.message))
    return t('problem.esc.projectKey', { key: scope });
  const where =
    scope === 'defaults' ? t('problem.esc.scope.defaults') : t('problem.esc.scope.project', { key: scope });
  if (field === null) return `${where}: ${problem.message}`;
  const kind = FIELD_KIND[field];
  const what =
    field === 'visitNoticeDays'
      ? t('problem.esc.days')
      : kind === 'group'
        ? t('problem.esc.group')
        : kind === 'text'
          ? t('problem.esc.linkType')
          : t('problem.esc.value', { message: problem.message });
  return t('problem.esc', { scope: where, setting: t(`admin.esc.field.${field}`), problem: what });
}
