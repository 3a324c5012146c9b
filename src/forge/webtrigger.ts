/** The generic webhook web trigger (manifest function `webhook`, dynamic response, URL format v2). */
import { handleGenericWebhook, type WebhookResponse } from '../app/webhook';
import { forgeDeps } from './deps';

export interface WebTriggerRequest {
  method?: string;
  headers?: Record<string, string[] | string | undefined>;
  body?: string;
}

export async function webhook(request: WebTriggerRequest): Promise<WebhookResponse> {
  if (request.method && request.method.toUpperCase() !== 'POST') {
    return {
      statusCode: 405,
      headers: { 'Content-Type': ['application/json'] },
      body: '{"error":"method-not-allowed"}',
    };
  }
  return handleGenericWebhook({ headers: request.headers ?? {}, body: request.body ?? '' }, forgeDeps());
}
