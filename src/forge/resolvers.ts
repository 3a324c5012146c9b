/**
 * The Custom UI resolver (manifest function `resolver`): each call name of src/contract/api.ts is one
 * createApi handler. Admin rights are checked server-side (mypermissions as the calling user).
 * Failures reach the UI as a rejected `invoke` whose message starts with the error code
 * (`forbidden: …`, `invalid-request: …`).
 */
import Resolver from '@forge/resolver';
import { API_NAMES } from '../contract/api';
import { callApi, createApi } from '../app/api';
import { AppError } from '../app/errors';
import { forgeDeps } from './deps';

const resolver = new Resolver();

for (const name of API_NAMES) {
  resolver.define(name, async (req: { payload?: unknown; context?: { accountId?: string } }) => {
    const deps = forgeDeps({ ...(req.context?.accountId ? { accountId: req.context.accountId } : {}) });
    try {
      return (await callApi(createApi(deps), name, req.payload ?? {})) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof AppError) throw new Error(`${e.code}: ${e.message}`);
      throw e;
    }
  });
}

export const handler = resolver.getDefinitions();
