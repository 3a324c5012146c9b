/**
 * The text of a failure for the viewer: a refused backend call that names a message code
 * (`ApiCallError.messageCode`, see src/app/errors.ts) is shown in the viewer's language from
 * `error.<code>` of the dictionaries; anything else shows its own message.
 */
import { ApiCallError } from '../../src/contract/client';
import type { Translator } from './i18n';

export function errorText(t: Translator, e: unknown): string {
  if (e instanceof ApiCallError && e.messageCode) {
    const key = `error.${e.messageCode}`;
    if (t.has(key)) return t(key, e.params ?? {});
  }
  return e instanceof Error ? e.message : String(e);
}
