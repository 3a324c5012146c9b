/**
 * The regulation's policy as typed, frozen data: every number of SPEC §2–§5 lives here and nowhere
 * else. An administrator edits a copy; `validatePolicy` (policy-validate.ts) lists every problem.
 */
import type { Impact, Mode, PriorityClass, Urgency } from './codes';
import { deepFreeze } from './freeze';

export type IncidentLevel = 1 | 2 | 3 | 4 | 5;

/** A row-by-column table of incident levels: rows are urgency (default) or usage mode (as printed). */
export type IncidentMatrix = Record<Urgency, Record<Impact, number>>;
export type IncidentModeMatrix = Record<Mode, Record<Impact, number>>;

/** An error cell is a range on the 1..10 scale, e.g. [9, 10]. */
export type ErrorRange = [number, number];
export type ErrorMatrix = Record<Urgency, Record<Impact, ErrorRange>>;

/** How the fix deadline of an error class is set (SPEC §5). */
export type FixRule =
  | { type: 'working-days'; days: number }
  | { type: 'later-of-days-and-update'; days: number }
  | { type: 'earlier-of-update-and-months'; months: number }
  | { type: 'next-release' }
  | { type: 'none' };

export type FixRuleType = FixRule['type'];

/** What counts as a specialist starting work on an incident (SPEC §3). */
export type ReactionEventType = 'status' | 'comment' | 'assignee';

export interface ClassBand {
  class: PriorityClass;
  min: number;
  max: number;
}

export interface Policy {
  /** Name of the preset this policy was built from, for display only. */
  preset: 'default' | 'as-printed' | 'custom';
  incident: {
    /** `urgency`: rows of the §4.6 table are urgency (SPEC default); `mode`: rows are the usage mode as printed. */
    rows: 'urgency' | 'mode';
    matrix: IncidentMatrix;
    /** Used when rows = 'mode' (the literal reading of the printed table; urgency is then ignored). */
    modeMatrix: IncidentModeMatrix;
    modifiers: { implementation: number; question: number };
    /** Reaction time in working hours, per level 1..5 (index = level). */
    reactionHours: Record<IncidentLevel, number>;
    /** Class names per level. */
    classes: Record<IncidentLevel, PriorityClass>;
  };
  error: {
    matrix: ErrorMatrix;
    /** Which end of a cell's range is the base score. */
    rangePoint: 'upper' | 'lower';
    modifiers: { implementation: number; workaround: { none: number; moderate: number; full: number } };
    /** Score bands → class, covering 1..10 without gaps or overlaps. */
    classes: ClassBand[];
    /** §5.5: an error's inputs are the most severe among itself and its linked incidents. */
    combineLinkedIncidents: boolean;
    /** §2.9.2: working days to verify the error and record an estimate. */
    verificationDays: number;
    fix: Record<PriorityClass, FixRule>;
  };
  versions: {
    /** A version whose name matches this pattern is a release; every other version is an update. */
    releasePattern: string;
  };
  reaction: { events: ReactionEventType[] };
  /** A running clock is "at risk" once this share of its working time is used. */
  atRiskShare: number;
  /** §5.6.3: the share of errors whose deadlines must hold. */
  complianceTarget: number;
  /**
   * §5.6.3: how an individually agreed deadline counts in the figure — `standard` (absent: the
   * default) counts the error as not meeting the standard deadline, one of the allowed exceptions;
   * `agreed` counts it against the agreed date (the earlier reading).
   */
  agreedCounting?: 'standard' | 'agreed';
}

/** The default policy: SPEC §2–§5 as written there. */
export const DEFAULT_POLICY: Readonly<Policy> = deepFreeze<Policy>({
  preset: 'default',
  incident: {
    rows: 'urgency',
    matrix: {
      high: { high: 5, medium: 4, low: 2 },
      medium: { high: 4, medium: 3, low: 1 },
      low: { high: 3, medium: 2, low: 1 },
    },
    modeMatrix: {
      operation: { high: 5, medium: 4, low: 2 },
      implementation: { high: 4, medium: 3, low: 1 },
    },
    modifiers: { implementation: -1, question: -2 },
    reactionHours: { 5: 8, 4: 16, 3: 24, 2: 40, 1: 80 },
    classes: { 5: 'critical', 4: 'high', 3: 'medium', 2: 'low', 1: 'planned' },
  },
  error: {
    matrix: {
      high: { high: [9, 10], medium: [7, 8], low: [5, 6] },
      medium: { high: [7, 8], medium: [5, 6], low: [3, 4] },
      low: { high: [5, 6], medium: [3, 4], low: [1, 2] },
    },
    rangePoint: 'upper',
    modifiers: { implementation: -2, workaround: { none: 0, moderate: -3, full: -4 } },
    classes: [
      { class: 'critical', min: 9, max: 10 },
      { class: 'high', min: 7, max: 8 },
      { class: 'medium', min: 5, max: 6 },
      { class: 'low', min: 3, max: 4 },
      { class: 'planned', min: 1, max: 2 },
    ],
    combineLinkedIncidents: true,
    verificationDays: 5,
    fix: {
      critical: { type: 'working-days', days: 10 },
      high: { type: 'later-of-days-and-update', days: 15 },
      medium: { type: 'earlier-of-update-and-months', months: 4 },
      low: { type: 'next-release' },
      planned: { type: 'none' },
    },
  },
  versions: { releasePattern: '^\\D*\\d+\\.0(\\.0)?$' },
  // SPEC §3: an assignment alone counts only when the policy says so (default assignees and
  // automation would stop every clock at creation).
  reaction: { events: ['status', 'comment'] },
  atRiskShare: 0.75,
  complianceTarget: 0.8,
});

/**
 * The literal reading of the printed §4.6 table (SPEC §2): rows are the usage mode and urgency is
 * ignored. The §4.6.1 modifiers stay as the text states them; an administrator may zero the
 * implementation modifier if they consider it counted by the rows already.
 */
export const AS_PRINTED_POLICY: Readonly<Policy> = deepFreeze<Policy>({
  ...clonePolicy(DEFAULT_POLICY),
  preset: 'as-printed',
  incident: { ...clonePolicy(DEFAULT_POLICY).incident, rows: 'mode' },
});

export const PRESETS = { default: DEFAULT_POLICY, 'as-printed': AS_PRINTED_POLICY } as const;
export type PresetName = keyof typeof PRESETS;

/** A deep, mutable copy of a policy (for editing). */
export function clonePolicy(p: Readonly<Policy>): Policy {
  return JSON.parse(JSON.stringify(p)) as Policy;
}

/** Class of an error score per the policy's bands; undefined if the bands do not cover it. */
export function errorClassOf(policy: Readonly<Policy>, score: number): PriorityClass | undefined {
  return policy.error.classes.find((b) => score >= b.min && score <= b.max)?.class;
}

/** Is this version name a release (vs an update) under the policy? */
export function isReleaseVersion(policy: Readonly<Policy>, name: string): boolean {
  return new RegExp(policy.versions.releasePattern).test(name.trim());
}
