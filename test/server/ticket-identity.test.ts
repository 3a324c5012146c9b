/**
 * Issue #17: the customer's identity read from a real Jira Data Center payload (multi-value custom
 * fields of jira-real/dc-webhooks/jt-multi_value_custom_field.json) and from Service Management's
 * "Organizations" value shape ({ id, name }, Jira Cloud REST reference), then resolved to a customer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { identityFieldIds, ticketIdentity } from '../../src/adapters/ticket-identity';
import { resolveContract, type CustomersConfig } from '../../src/domain/contracts';
import { settings } from '../support/builders';

const payload = JSON.parse(
  fs.readFileSync(
    // the verbatim copy of ../shared/jira-real kept with the tests (the repository stands alone)
    path.resolve(__dirname, '../fixtures/jira-real/dc-webhooks/jt-multi_value_custom_field.json'),
    'utf8',
  ),
) as { issue: { fields: Record<string, unknown> } };

const customers: CustomersConfig = {
  customers: [
    {
      id: 'opt2',
      name: 'Option two',
      identities: [{ kind: 'field', field: 'customfield_10107', value: 'singlelist option 2' }],
      contracts: [],
    },
    {
      id: 'acme',
      name: 'ACME',
      identities: [{ kind: 'organization', value: 'ACME Corp' }],
      contracts: [],
    },
  ],
};

it('reads option values of a field the identities name, and resolves the customer', () => {
  const s = settings({ customers });
  expect(identityFieldIds(s)).toEqual(['customfield_10107']);
  const identity = ticketIdentity(payload.issue.fields, s);
  expect(identity).toEqual({ fields: { customfield_10107: ['singlelist option 1', 'singlelist option 2'] } });
  const r = resolveContract(
    customers,
    { project: 'TEST', ...identity },
    Date.parse('2026-03-02T07:00:00Z'),
    'Europe/Moscow',
  );
  expect(r.customer?.id).toBe('opt2');
});

it('reads components and Service Management organizations', () => {
  const s = settings({ customers });
  const fields = {
    components: [{ id: '10000', name: 'Portal' }],
    customfield_10002: [{ id: 1, name: 'ACME Corp', _links: {} }],
  };
  const identity = ticketIdentity(fields, s, 'customfield_10002');
  expect(identity).toEqual({ components: ['Portal'], organizations: ['ACME Corp'] });
  expect(
    resolveContract(
      customers,
      { project: 'SUP', ...identity },
      Date.parse('2026-03-02T07:00:00Z'),
      'Europe/Moscow',
    ).customer?.id,
  ).toBe('acme');
});
