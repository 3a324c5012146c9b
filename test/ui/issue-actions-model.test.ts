/** The issue actions' logic: which form, the parts list of "Split request", the requests sent. */
import {
  actionOf,
  addPart,
  initialParts,
  MAX_PARTS,
  partProblems,
  registerRequest,
  removePart,
  toSplitParts,
  updatePart,
} from '../../static/issue-actions/model';

describe('actionOf', () => {
  it.each([
    ['register-error', null, 'register-error'],
    ['split-request', 'register-error', 'split-request'], // the Forge module key wins
    ['ari:cloud:ecosystem::extension/abc/def/static/split-request', null, 'split-request'],
    [undefined, 'register-error', 'register-error'],
    [undefined, 'split-request', 'split-request'],
    [undefined, 'delete-everything', null],
    ['issue-panel', null, null],
    [undefined, null, null],
  ])('module key %p, ?action=%p → %p', (moduleKey, param, expected) => {
    expect(actionOf(moduleKey, param)).toBe(expected);
  });
});

describe('the parts list', () => {
  it('starts with one empty part and adds parts with fresh ids up to the limit', () => {
    let s = initialParts();
    expect(s.parts.map((p) => p.id)).toEqual([1]);
    s = addPart(addPart(s));
    expect(s.parts.map((p) => p.id)).toEqual([1, 2, 3]);
    for (let i = 0; i < 30; i++) s = addPart(s);
    expect(s.parts).toHaveLength(MAX_PARTS);
    expect(MAX_PARTS).toBe(20);
    expect(addPart(s)).toBe(s);
  });

  it('removes by id, keeps the last part, and never reuses an id', () => {
    let s = addPart(addPart(initialParts()));
    s = removePart(s, 2);
    expect(s.parts.map((p) => p.id)).toEqual([1, 3]);
    s = addPart(s);
    expect(s.parts.map((p) => p.id)).toEqual([1, 3, 4]);
    s = removePart(removePart(s, 1), 3);
    expect(s.parts.map((p) => p.id)).toEqual([4]);
    expect(removePart(s, 4)).toBe(s); // the last part stays
    expect(removePart(s, 99)).toBe(s);
  });

  it('edits one part only', () => {
    const s = updatePart(addPart(initialParts()), 2, { summary: 'Export fails', impact: 'high' });
    expect(s.parts[0]).toMatchObject({ summary: '', impact: '' });
    expect(s.parts[1]).toMatchObject({ id: 2, summary: 'Export fails', impact: 'high' });
  });

  it('lists every problem at once: each part without a summary, a code that is not the regulation’s', () => {
    let s = addPart(addPart(initialParts()));
    s = updatePart(s, 2, { summary: '  Login fails ', urgency: 'urgent' });
    expect(partProblems(s.parts)).toEqual([
      { code: 'summary-required', index: 0, id: 1 },
      { code: 'bad-code', index: 1, id: 2, field: 'urgency' },
      { code: 'summary-required', index: 2, id: 3 },
    ]);
    s = updatePart(updatePart(updatePart(s, 1, { summary: 'a' }), 2, { urgency: 'low' }), 3, {
      summary: 'b',
    });
    expect(partProblems(s.parts)).toEqual([]);
  });

  it('sends trimmed parts and leaves out the fields to carry over', () => {
    let s = addPart(initialParts());
    s = updatePart(s, 1, { summary: ' Login fails ', impact: 'high', urgency: 'medium', description: '  ' });
    s = updatePart(s, 2, { summary: 'How to export?', nature: 'question', description: ' Asked by phone ' });
    expect(toSplitParts(s.parts)).toEqual([
      { summary: 'Login fails', impact: 'high', urgency: 'medium' },
      { summary: 'How to export?', description: 'Asked by phone', nature: 'question' },
    ]);
  });
});

describe('registerRequest', () => {
  it('leaves an empty summary and issue type to the backend and sends the workaround', () => {
    expect(registerRequest('SUP-3', { summary: '  ', workaround: 'none' })).toEqual({
      key: 'SUP-3',
      workaround: 'none',
    });
    expect(
      registerRequest('SUP-3', {
        summary: ' PDF loses the stamp ',
        workaround: 'moderate',
        issueType: 'Bug',
      }),
    ).toEqual({ key: 'SUP-3', summary: 'PDF loses the stamp', issueType: 'Bug', workaround: 'moderate' });
    expect(registerRequest('SUP-3', { summary: '', workaround: 'maybe' })).toEqual({ key: 'SUP-3' });
  });
});
