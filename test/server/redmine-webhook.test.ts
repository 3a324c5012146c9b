/**
 * The optional Redmine push (issue #18): the `redmine_webhook` plugin's documented payloads
 * (test/fixtures/redmine/SOURCES.md) → the issue to re-read, with the journal as the delivery id.
 */
import { parseRedmineWebhook } from '../../src/adapters/redmine';
import { SourcePayloadError } from '../../src/app/source';
import { fixture } from '../support/fake-api';

describe('redmine_webhook payloads', () => {
  it('an opened issue: its key, the creation as the delivery', () => {
    expect(parseRedmineWebhook(fixture('redmine', 'webhook-opened.json'))).toEqual([
      {
        key: '#191',
        type: 'opened',
        deliveryId: 'redmine-issue-191-opened',
        occurredAt: '2014-03-01T15:17:48Z',
      },
    ]);
  });

  it('an updated issue: its key, the journal as the delivery (a repeated post is a duplicate)', () => {
    expect(parseRedmineWebhook(fixture('redmine', 'webhook-updated.json'))).toEqual([
      {
        key: '#196',
        type: 'updated',
        deliveryId: 'redmine-journal-195',
        occurredAt: '2014-03-01T16:22:46Z',
      },
    ]);
  });

  it('refuses bodies it cannot read, naming the field and the value', () => {
    const err = (body: unknown) => {
      try {
        parseRedmineWebhook(body);
      } catch (e) {
        return e as SourcePayloadError;
      }
      throw new Error('no error');
    };
    expect(err('x')).toMatchObject({ field: 'body', value: 'x' });
    expect(err({ issue: { id: 1 } })).toMatchObject({ field: 'payload', value: undefined });
    expect(err({ payload: { action: 'closed', issue: { id: 1 } } })).toMatchObject({
      field: 'payload.action',
      value: 'closed',
    });
    expect(err({ payload: { action: 'opened', issue: { id: '191' } } })).toMatchObject({
      field: 'payload.issue.id',
      value: '191',
    });
    expect(err({ payload: { action: 'opened' } })).toBeInstanceOf(SourcePayloadError);
  });
});
