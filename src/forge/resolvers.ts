/**
 * The Custom UI resolver (manifest function `resolver`): each call name of src/contract/api.ts is one
 * createApi handler. Admin rights are checked server-side (mypermissions as the calling user), and so
 * are the project permissions of the escalation actions, which create issues, links and comments as
 * the app: the caller must be able to do the same on the issue. Failures reach the UI as a rejected
 * `invoke` whose message starts with the error code (`forbidden: …`, `invalid-request: …`).
 */
import Resolver from '@forge/resolver';
import { API_NAMES, type ApiName } from '../contract/api';
import { callApi, createApi } from '../app/api';
import { AppError } from '../app/errors';
import { forgeDeps } from './deps';

const resolver = new Resolver();

/** Project permissions the caller needs on the issue of an action (null: no check). */
const ACTION_PERMISSIONS: Partial<Record<ApiName, (payload: Record<string, unknown>) => string[] | null>> = {
  registerError: () => ['CREATE_ISSUES', 'LINK_ISSUES', 'ADD_COMMENTS'],
  splitRequest: () => ['CREATE_ISSUES', 'LINK_ISSUES', 'ADD_COMMENTS'],
  checkVisit: (p) => (p.comment === true ? ['ADD_COMMENTS'] : null),
  agreeDeadline: () => ['EDIT_ISSUES'],
  overridePriority: () => ['EDIT_ISSUES'],
};

/**
 * Refuses an action the caller could not do in Jira themselves (the app acts with its own rights).
 * @throws AppError 'forbidden'
 */
export async function checkActionPermissions(
  name: ApiName,
  payload: unknown,
  userCan: (issueKey: string, permissions: readonly string[]) => Promise<boolean>,
): Promise<void> {
  const needs = ACTION_PERMISSIONS[name];
  if (!needs) return;
  const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const permissions = needs(p);
  if (!permissions) return;
  const key = typeof p.key === 'string' ? p.key.trim() : '';
  if (key === '') throw new AppError('invalid-request', 'key is required');
  if (!(await userCan(key, permissions)))
    throw new AppError(
      'forbidden',
      `You need the ${permissions.join(', ')} permissions on ${key} to do this.`,
    );
}

for (const name of API_NAMES) {
  resolver.define(name, async (req: { payload?: unknown; context?: { accountId?: string } }) => {
    const deps = forgeDeps({ ...(req.context?.accountId ? { accountId: req.context.accountId } : {}) });
    try {
      await checkActionPermissions(name, req.payload, deps.userCan);
      return (await callApi(createApi(deps), name, req.payload ?? {})) as Record<string, unknown>;
    } catch (e) {
      // The message code travels at the end of the text (Forge passes only a message): the client
      // strips it and the screens translate it (src/contract/client.ts `forgeTransport`).
      if (e instanceof AppError)
        throw new Error(`${e.code}: ${e.message}${e.detail ? ` [[${JSON.stringify(e.detail)}]]` : ''}`);
      throw e;
    }
  });
}

export const handler = resolver.getDefinitions();
