/**
 * The admin page's escalation editor: the draft of saved settings, the document it saves, every
 * problem at once with the backend's paths, and the problems in both languages.
 */
import {
  fromConfig,
  locateProblem,
  toConfig,
  validateEscalationDraft,
  valueLabel,
  type EscalationDraft,
} from '../../static/admin/escalation-model';
import { problemText } from '../../static/admin/model';
import { applySettingsEdit, defaultSettings } from '../../src/app/settings';
import { escalationSettingsFor } from '../../src/domain/escalation';
import { translator } from '../../static/shared/i18n';

const en = translator('en');
const ru = translator('ru');

const withProject = (
  d: EscalationDraft,
  key: string,
  values: EscalationDraft['projects'][number]['values'],
) => ({
  ...d,
  projects: [...d.projects, { id: d.projects.length + 1, key, values }],
});

describe('fromConfig / toConfig', () => {
  it('shows the built-in defaults when nothing is saved: comments off, Russian, 5 days, labels on', () => {
    const d = fromConfig(undefined);
    expect(d.defaults).toEqual({
      comments: 'false',
      notifyAssignee: 'true',
      group: null,
      language: 'ru',
      states: 'at-risk,breached',
      labels: 'true',
      customerComments: 'true',
      visitNoticeDays: '5',
      flagOtherVersions: 'true',
      currentVersion: 'release-line',
      errorLinkType: 'Relates',
      splitLinkType: 'Relates',
    });
    expect(d.projects).toEqual([]);
  });

  it('saves a project column with only its own values, upper-casing the key', () => {
    const d = withProject(fromConfig(undefined), ' sup ', {
      comments: 'true',
      language: 'en',
      states: 'breached',
    });
    const config = toConfig(d);
    expect(config.projects).toEqual({ SUP: { comments: true, language: 'en', states: ['breached'] } });
    expect(config.defaults).toMatchObject({
      comments: false,
      visitNoticeDays: 5,
      group: null,
      states: ['at-risk', 'breached'],
    });
    // what the backend makes of it: SUP comments on, in English; other projects keep the defaults
    const r = applySettingsEdit(defaultSettings(), { escalation: config });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(escalationSettingsFor(r.value.escalation, 'SUP')).toMatchObject({
      comments: true,
      language: 'en',
      visitNoticeDays: 5,
    });
    expect(escalationSettingsFor(r.value.escalation, 'OPS')).toMatchObject({
      comments: false,
      language: 'ru',
    });
  });

  it('round-trips what the backend saved (a named group, no states, 3 days)', () => {
    const saved = {
      defaults: { ...toConfig(fromConfig(undefined)).defaults, group: 'support-leads', visitNoticeDays: 3 },
      projects: { OPS: { group: null, states: [] } },
    };
    const d = fromConfig(saved as never);
    expect(d.defaults.group).toBe('support-leads');
    expect(d.defaults.visitNoticeDays).toBe('3');
    expect(d.projects).toEqual([{ id: 1, key: 'OPS', values: { group: null, states: '' } }]);
    expect(toConfig(d)).toEqual({
      ...saved,
      defaults: { ...saved.defaults, states: ['at-risk', 'breached'] },
    });
  });
});

describe('validateEscalationDraft', () => {
  it('finds nothing wrong with the defaults', () => {
    expect(validateEscalationDraft(fromConfig(undefined))).toEqual([]);
  });

  it('lists every problem at once, with the paths the backend uses', () => {
    let d = fromConfig(undefined);
    d = { ...d, defaults: { ...d.defaults, visitNoticeDays: '61', errorLinkType: '  ' } };
    d = withProject(d, 'SUP', { visitNoticeDays: '2.5', group: '' });
    d = withProject(d, 'sup', { comments: 'true' });
    d = withProject(d, '', {});
    d = withProject(d, '1AB', {});
    const problems = validateEscalationDraft(d);
    expect(problems.map((p) => p.path)).toEqual([
      'escalation.projects.',
      'escalation.projects.SUP',
      'escalation.defaults.visitNoticeDays',
      'escalation.defaults.errorLinkType',
      'escalation.projects.SUP.group',
      'escalation.projects.SUP.visitNoticeDays',
      'escalation.projects.1AB',
    ]);
  });

  it('reports a number typed as text instead of dropping it', () => {
    const d = withProject(fromConfig(undefined), 'SUP', { visitNoticeDays: 'five' });
    expect(validateEscalationDraft(d)).toEqual([
      {
        path: 'escalation.projects.SUP.visitNoticeDays',
        message: 'must be a whole number of working days from 0 to 60',
      },
    ]);
    // an empty project value takes the default; an empty default is a problem
    expect(validateEscalationDraft(withProject(fromConfig(undefined), 'SUP', {}))).toEqual([]);
    const d2 = fromConfig(undefined);
    expect(
      validateEscalationDraft({ ...d2, defaults: { ...d2.defaults, visitNoticeDays: '' } }),
    ).toHaveLength(1);
  });
});

describe('problems in the viewer’s language', () => {
  it.each([
    [
      {
        path: 'escalation.projects.SUP.visitNoticeDays',
        message: 'must be a whole number of working days from 0 to 60',
      },
      'Project SUP · On-site visit notice, working days (§2.7): must be a whole number of working days from 0 to 60',
      'Проект SUP · Срок заявки на выезд, рабочие дни (п. 2.7): должно быть целым числом рабочих дней от 0 до 60',
    ],
    [
      { path: 'escalation.defaults.language', message: 'must be "ru" or "en"' },
      'All projects · Language of the comments: not an allowed value (must be "ru" or "en")',
      'Все проекты · Язык комментариев: недопустимое значение (must be "ru" or "en")',
    ],
    [
      { path: 'escalation.projects.SUP.group', message: 'must be a group name or null' },
      'Project SUP · Group to notify as well: enter a group name',
      'Проект SUP · Группа, которую также уведомить: укажите имя группы',
    ],
    [
      { path: 'escalation.projects.1AB', message: 'is not a project key' },
      '“1AB” is not a project key (Latin letters, digits and _, starting with a letter)',
      '«1AB» — не ключ проекта (латинские буквы, цифры и _, в начале буква)',
    ],
    [
      { path: 'escalation.projects.SUP', message: 'is listed twice' },
      'Project SUP has two columns',
      'У проекта SUP два столбца',
    ],
  ])('%j', (problem, english, russian) => {
    expect(problemText(problem, {}, en)).toBe(english);
    expect(problemText(problem, {}, ru)).toBe(russian);
  });

  it('locates a problem by its path', () => {
    expect(locateProblem('escalation.projects.SUP.comments')).toEqual({ scope: 'SUP', field: 'comments' });
    expect(locateProblem('escalation.defaults.states')).toEqual({ scope: 'defaults', field: 'states' });
    expect(locateProblem('escalation.projects.SUP')).toEqual({ scope: 'SUP', field: null });
    expect(locateProblem('calendar.zone')).toEqual({ scope: null, field: null });
  });

  it('labels values in both languages', () => {
    expect(valueLabel('comments', 'true', en)).toBe('On');
    expect(valueLabel('comments', 'false', ru)).toBe('Выкл.');
    expect(valueLabel('states', '', en)).toBe('None');
    expect(valueLabel('states', 'at-risk,breached', ru)).toBe('Под угрозой и нарушен');
    expect(valueLabel('language', 'en', ru)).toBe('Английский');
    expect(valueLabel('group', null, en)).toBe('No group');
  });
});
