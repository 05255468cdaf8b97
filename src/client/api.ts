/**
 * Typed calls for every gateway route the widget uses, through the relay at the token's `api_base`.
 * Every non-2xx answer becomes an Agent37Error (both error shapes); a 401 gets one token refresh and
 * one retry; a request that never got an answer is `network_error`.
 */
import type { CreateResponseBody, ModelList, ResponseObject, SessionDetail, SessionSummary } from '../contract/gateway.js';
import { Agent37Error, errorFromResponse } from '../contract/errors.js';
import type { TokenSource } from './token.js';

export interface Agent37ApiOptions {
  tokens: TokenSource;
  fetch?: typeof fetch;
  /** the agent the chat talks to; reads name it (`?agent=`), because the gateway finds a non-default agent's sessions only so */
  agent?: () => string | undefined;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal | undefined;
}

export class Agent37Api {
  private readonly tokens: TokenSource;
  private readonly fetcher: typeof fetch;
  private readonly agent: () => string | undefined;

  constructor(o: Agent37ApiOptions) {
    this.tokens = o.tokens;
    this.agent = o.agent ?? (() => undefined);
    const f = o.fetch;
    this.fetcher = f ? (input, init) => f(input, init) : (input, init) => fetch(input, init);
  }

  /** POST /v1/responses with stream: true; the raw SSE response (read it with readEvents). */
  createResponse(body: CreateResponseBody, signal?: AbortSignal): Promise<Response> {
    return this.call({ method: 'POST', path: '/responses', body: { ...body, stream: true }, accept: 'text/event-stream', signal });
  }

  /** GET /v1/responses/{id}/stream: the whole turn replayed from the start, then live. */
  attachStream(responseId: string, signal?: AbortSignal): Promise<Response> {
    return this.call({ method: 'GET', path: `/responses/${encodeURIComponent(responseId)}/stream`, accept: 'text/event-stream', signal });
  }

  async cancel(responseId: string): Promise<ResponseObject> {
    return json(await this.call({ method: 'POST', path: `/responses/${encodeURIComponent(responseId)}/cancel` }));
  }

  /** First revision only (removed later): use it as a hint, never depend on it. */
  async getResponse(responseId: string, signal?: AbortSignal): Promise<ResponseObject> {
    return json(await this.call({ method: 'GET', path: `/responses/${encodeURIComponent(responseId)}`, signal }));
  }

  async getSession(id: string, signal?: AbortSignal): Promise<SessionDetail> {
    return json(await this.call({ method: 'GET', path: this.scoped(`/sessions/${encodeURIComponent(id)}`), signal }));
  }

  async listSessions(): Promise<SessionSummary[]> {
    const list = await json<{ data?: SessionSummary[] }>(await this.call({ method: 'GET', path: this.scoped('/sessions') }));
    return Array.isArray(list.data) ? list.data : [];
  }

  async renameSession(id: string, title: string): Promise<void> {
    await drain(await this.call({ method: 'PATCH', path: this.scoped(`/sessions/${encodeURIComponent(id)}`), body: { title } }));
  }

  async deleteSession(id: string): Promise<void> {
    await drain(await this.call({ method: 'DELETE', path: this.scoped(`/sessions/${encodeURIComponent(id)}`) }));
  }

  async models(): Promise<ModelList> {
    return json(await this.call({ method: 'GET', path: this.scoped('/models') }));
  }

  async health(): Promise<unknown> {
    return json(await this.call({ method: 'GET', path: this.scoped('/health') }));
  }

  /** `path?agent=NAME` when the chat names an agent: sessions of a non-default agent are found only so. */
  private scoped(path: string): string {
    const agent = this.agent();
    return agent ? `${path}?agent=${encodeURIComponent(agent)}` : path;
  }

  private async call(c: Call): Promise<Response> {
    let grant = await this.tokens.get();
    let response = await this.send(c, grant.api_base, grant.token);
    if (response.status === 401) {
      await drain(response);
      grant = await this.tokens.refresh(grant.token);
      response = await this.send(c, grant.api_base, grant.token);
      if (response.status === 401) {
        const detail = await errorFromResponse(response);
        throw new Agent37Error({
          code: 'unauthorized',
          status: 401,
          message: 'The relay refused the token, a freshly fetched one too.',
          ...(detail.hint ? { hint: detail.hint } : {}),
          cause: detail,
        });
      }
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  private async send(c: Call, apiBase: string, token: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: c.accept ?? 'application/json' };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetcher(`${apiBase}/v1${c.path}`, {
        method: c.method,
        headers,
        ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
        ...(c.signal ? { signal: c.signal } : {}),
        cache: 'no-store',
      });
    } catch (cause) {
      if (c.signal?.aborted) throw c.signal.reason ?? cause;
      throw new Agent37Error({ code: 'network_error', message: 'Could not reach the chat server; check your connection.', cause });
    }
  }
}

async function json<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw new Agent37Error({ code: 'bad_response', status: response.status, message: 'The chat server answered something that is not JSON.', cause });
  }
}

async function drain(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
