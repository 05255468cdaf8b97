/**
 * The relay: the only way from the widget to the instance. It checks the widget's short-lived token,
 * lets through only the routes the widget uses, keeps every user to their own sessions and responses
 * (a new conversation's session id is minted and claimed here before the turn starts), adds the secret
 * key on the way out and pipes answers (SSE included) straight back.
 */
import { MAX_REQUEST_BYTES } from '../contract/gateway.js';
import { createCorsPolicy } from './cors.js';
import { watchCreatedEvent } from './created-event-watch.js';
import { errorResponse, ownErrorCode, replayable, validationErrorResponse } from './error-response.js';
import { parseJsonObjectBody } from './json-body.js';
import { DEFAULT_MAX_SESSIONS_PER_USER, MemoryOwnershipStore, type OwnedKind, type OwnershipStore } from './ownership-store.js';
import { type TokenSecret, secretKey, verifyRelayToken } from './relay-token.js';
import { joinChunks, readBodyWithin } from './request-body.js';
import { type RelayRoute, isPlainAgentName, matchRoute, upstreamQuery } from './routes.js';
import { redactBytes, redactText, redactingStream } from './secret-redaction.js';
import { type ListedSession, SessionListCache, type SessionListFetch, readSessionList } from './session-list-cache.js';
import { MintRefusals, newSessionId, refusesMintedId } from './session-minting.js';
import { type TurnBodyPolicyOptions, applyTurnBodyPolicy } from './turn-body-policy.js';
import { UpstreamDeadline } from './upstream-deadline.js';
import { UserLimits, type UserLimitsOptions } from './user-limits.js';

export interface RelayOptions extends TurnBodyPolicyOptions, UserLimitsOptions {
  /** The instance's gateway, e.g. `https://abc123defg.agent37.app` (or a simulator's URL). */
  instanceUrl: string;
  /** The secret `sk_live_` key. It is sent upstream only, never back to the browser. */
  apiKey: string;
  /** The token endpoint's secret. */
  secret: TokenSecret;
  /** Who owns which session and response; one in-memory store per relay by default. */
  store?: OwnershipStore;
  /** Origins allowed to call the relay from another origin (`*` for any). Same-origin needs none. */
  allowedOrigins?: readonly string[];
  /** The path the relay is mounted at, e.g. `/api/agent37`; it serves `${basePath}/v1/...`. */
  basePath?: string;
  /** Extra request header names passed upstream as they are. */
  forwardHeaders?: readonly string[];
  /** One line per request (and per problem); the key is never in it. */
  log?: (line: string) => void;
  /** The fetch used to reach the instance. */
  fetch?: typeof fetch;
  /** Request bodies larger than this are refused with 413; 2 MB by default, as at the gateway. */
  maxBodyBytes?: number;
  /** A request body must have arrived whole this long after the relay started reading it, else 408; 15 s by default. */
  bodyTimeoutMs?: number;
  /**
   * How long the instance may take to connect and send its answer's first byte, and (for a JSON
   * answer) each next chunk, else 504 `upstream_timeout`; 30 s by default. A stream stays open for as
   * long as the turn runs.
   */
  upstreamTimeoutMs?: number;
  /** A user's sessions the relay remembers; past it their least recently active (by turns) answer 404. 1,000 by default. */
  maxSessionsPerUser?: number;
  /** How old the shared upstream session list (titles, previews) may be when a user's list is answered; 5 s by default. */
  sessionListMaxAgeMs?: number;
}

export interface Relay {
  (request: Request): Promise<Response>;
  /** Whether a path is the relay's (`${basePath}/v1/...`); adapters hand other paths on. */
  serves(pathname: string): boolean;
}

/** Headers a browser must never be able to set upstream: they carry its own or the relay's credentials. */
const NEVER_FORWARDED = new Set(['authorization', 'cookie', 'x-agent37-key', 'host', 'content-length', 'connection']);
/** Upstream response headers worth passing on; everything else (cookies, server details) stays behind. */
/** (cache-control and content-type are the relay's own: JSON or an event stream, nothing a browser could render.) */
const PASSED_BACK = ['retry-after', 'allow'];
/** A session used this long before the shared list was fetched should be in it; one used since may not be yet. */
const LIST_FRESHNESS_GRACE_MS = 2_000;

export function createRelay(options: RelayOptions): Relay {
  const key = secretKey(options.secret);
  // keys read from files or env often end in a newline: trim once, here, so every use (and redaction) sees the same key
  const apiKey = typeof options.apiKey === 'string' ? options.apiKey.trim() : options.apiKey;
  if (typeof apiKey !== 'string' || apiKey.length < 8) {
    throw new TypeError('agent37-chat/server: apiKey is required (the instance secret key)');
  }
  // the message never quotes the key
  if (/[\s\x00-\x1f\x7f]/.test(apiKey)) {
    throw new TypeError('agent37-chat/server: apiKey contains whitespace or control characters; check how it is loaded');
  }
  const instance = parseInstanceUrl(options.instanceUrl);
  const basePath = normalizeBasePath(options.basePath ?? '');
  const forwardHeaders = (options.forwardHeaders ?? []).map((name) => name.toLowerCase());
  for (const name of forwardHeaders) {
    if (NEVER_FORWARDED.has(name)) throw new TypeError(`agent37-chat/server: the ${name} header cannot be forwarded`);
  }
  const store = options.store ?? new MemoryOwnershipStore();
  const cors = createCorsPolicy(options.allowedOrigins ?? [], forwardHeaders);
  const upstreamFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 15_000;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const claimOptions = { maxSessionsPerUser: options.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER };
  const limits = new UserLimits(options);
  const writeLog = options.log;
  const log = (line: string): void => writeLog?.(redactText(line, apiKey));
  const mintRefusals = new MintRefusals();
  const apiPrefix = `${basePath}/v1`;
  const serves = (pathname: string): boolean => pathname === apiPrefix || pathname.startsWith(`${apiPrefix}/`);

  async function owns(kind: OwnedKind, id: string, userId: string): Promise<boolean> {
    const [owner] = await store.owners(kind, [id]);
    return owner === userId;
  }

  async function claim(kind: OwnedKind, id: string, userId: string): Promise<void> {
    const owner = await store.claim(kind, id, userId, claimOptions);
    if (owner !== userId) log(`agent37 relay: ${kind} ${id} is already owned by another user; not reassigned`);
  }

  /** A fresh session id the user owns before the instance hears of it; null (the instance mints) should the claim not stand. */
  async function mintSession(userId: string): Promise<string | null> {
    const id = newSessionId();
    return (await store.claim('session', id, userId, claimOptions)) === userId ? id : null;
  }

  /**
   * `body` is JSON the relay serialized itself: the instance reads exactly what the ownership check read.
   * `path` may end in the one query the relay passes on (`?agent=NAME`). `from` is the browser's request
   * whose accept and forwarded headers go along.
   */
  function upstreamRequest(from: Request, method: string, path: string, body: string | null, deadline: UpstreamDeadline): Promise<Response> {
    const headers = new Headers();
    if (body !== null) headers.set('content-type', 'application/json');
    const accept = from.headers.get('accept');
    if (accept) headers.set('accept', accept);
    for (const name of forwardHeaders) {
      const value = from.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    headers.set('x-agent37-key', apiKey);
    headers.set('authorization', `Bearer ${apiKey}`);
    return upstreamFetch(new URL(instance.pathname + path.slice(1), instance), {
      method,
      headers,
      ...(body === null ? {} : { body }),
      signal: deadline.signal,
      redirect: 'manual',
    });
  }

  /**
   * The instance's answer to one call, or the relay's own error answer when it could not get one that
   * makes sense. `aboutAnId`: the route names a session or response, so a 404 is about that id.
   */
  async function callUpstream(
    from: Request,
    method: string,
    path: string,
    body: string | null,
    aboutAnId: boolean,
    deadline: UpstreamDeadline,
    logPath: string,
  ): Promise<Response> {
    let upstream: Response;
    deadline.restart();
    try {
      upstream = await upstreamRequest(from, method, path, body, deadline);
    } catch (error) {
      deadline.stop();
      if (deadline.timedOut) {
        log(`agent37 relay: the instance at ${instance.host} did not answer ${method} ${logPath} within ${upstreamTimeoutMs} ms`);
        return upstreamTimeout();
      }
      if (from.signal.aborted) {
        return errorResponse(499, 'client_closed_request', 'The client went away before the instance answered.');
      }
      log(`agent37 relay: upstream unreachable (${describeFetchError(error)}) for ${method} ${logPath} at ${instance.host}`);
      return errorResponse(502, 'upstream_unreachable', 'The agent37 instance could not be reached. Try again in a moment.');
    }
    deadline.restart();
    if (upstream.status === 401 || upstream.status === 403) {
      // the browser's token was fine; the instance refused the relay's own key (or its IP): a server setup problem
      await upstream.body?.cancel().catch(() => {});
      deadline.stop();
      log(`agent37 relay: the instance at ${instance.host} refused the relay's API key (HTTP ${upstream.status})`);
      return upstreamAuthFailed();
    }
    if (upstream.status === 404 && !aboutAnId) {
      // a route that exists whatever the ids: the edge's flat 404 means the key belongs to another workspace
      const bytes = await readUpstreamBody(upstream, deadline);
      if (isFlatError(bytes)) {
        log(`agent37 relay: the instance at ${instance.host} does not know the relay's API key (HTTP 404, another workspace's key?)`);
        return upstreamAuthFailed();
      }
      return new Response(bytes, { status: upstream.status, statusText: upstream.statusText, headers: upstream.headers });
    }
    return upstream;
  }

  /** The upstream answer with only safe headers; SSE is piped through, everything else read whole (and never cached). */
  async function relayed(
    upstream: Response,
    deadline: UpstreamDeadline,
    watch?: (ids: { id: string; session_id: string }) => Promise<void>,
  ): Promise<Response> {
    const headers = new Headers({ 'x-content-type-options': 'nosniff' });
    for (const name of PASSED_BACK) {
      const value = upstream.headers.get(name);
      if (value !== null) headers.set(name, redactText(value, apiKey));
    }
    if (isEventStream(upstream) && upstream.body) {
      deadline.stop();
      headers.set('content-type', 'text/event-stream; charset=utf-8');
      headers.set('cache-control', 'no-cache, no-transform');
      // nginx and similar proxies buffer responses unless told not to
      headers.set('x-accel-buffering', 'no');
      let body = upstream.body.pipeThrough(redactingStream(apiKey));
      if (watch) body = body.pipeThrough(watchCreatedEvent(watch));
      return new Response(body, { status: upstream.status, headers });
    }
    // session lists and histories are per user: no shared cache may keep them
    headers.set('cache-control', 'no-store');
    const bytes = redactBytes(await readUpstreamBody(upstream, deadline), apiKey);
    const empty = upstream.status === 204 || upstream.status === 304;
    // whatever the instance (or a proxy before it) called it, the answer is data, never a page
    if (!empty) headers.set('content-type', 'application/json; charset=utf-8');
    return new Response(empty ? null : bytes, { status: upstream.status, headers });
  }

  const sessionLists = new SessionListCache(options.sessionListMaxAgeMs ?? 5_000);

  /** The shared session list upstream, read under the relay's own deadline: no one browser's leaving cancels it for the others. */
  async function fetchSessionList(from: Request, query: string): Promise<SessionListFetch> {
    const fetchedAt = Date.now();
    const deadline = new UpstreamDeadline(upstreamTimeoutMs, null);
    try {
      const upstream = await callUpstream(from, 'GET', `/v1/sessions${query}`, null, false, deadline, `${apiPrefix}/sessions`);
      if (isOwn(upstream)) return { ok: false, answer: await replayable(upstream) };
      const answer = await relayed(upstream, deadline);
      if (!upstream.ok) return { ok: false, answer: await replayable(answer) };
      const list = readSessionList(await readJson(answer), fetchedAt);
      if (list) return { ok: true, list };
      return { ok: false, answer: await replayable(errorResponse(502, 'bad_gateway', 'The agent37 instance sent a session list the relay could not read.')) };
    } finally {
      deadline.stop();
    }
  }

  async function handle(request: Request, route: RelayRoute, query: string, userId: string, logPath: string): Promise<Response> {
    /** One deadline per request: a turn refused for its minted id goes again under the same one. */
    const deadline = new UpstreamDeadline(upstreamTimeoutMs, request.signal);
    const forward = (body: string | null, aboutAnId: boolean): Promise<Response> =>
      callUpstream(request, request.method, routePath(route) + query, body, aboutAnId, deadline, logPath);
    const passOn = (upstream: Response, watch?: (ids: { id: string; session_id: string }) => Promise<void>) =>
      relayed(upstream, deadline, watch);
    /** The body as a JSON object, or the answer that refuses it (too large, too slow, not an object, too deep). */
    const readObject = async (): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; response: Response }> => {
      const read = await readBodyWithin(request, maxBodyBytes, bodyTimeoutMs);
      if (!read.ok) return { ok: false, response: read.reason === 'too-large' ? tooLarge() : tooSlow() };
      return parseJsonObjectBody(read.bytes);
    };
    const tooLarge = () =>
      errorResponse(413, 'payload_too_large', `The request body is larger than ${Math.floor(maxBodyBytes / 1024 / 1024 * 10) / 10} MB.`);
    const tooSlow = () =>
      errorResponse(408, 'request_timeout', `The request body did not arrive within ${Math.round(bodyTimeoutMs / 1000)} s.`, { connection: 'close' });

    /**
     * A new conversation goes upstream under a session id the user already owns, so a turn whose stream
     * is cut inside `response.created` is still in their session list. Where the instance refuses the
     * minted id (no turn started), the POST goes again without one, once, and the unused claim is let go.
     */
    const startConversation = async (input: Record<string, unknown>): Promise<{ upstream: Response; sessionId: string | null }> => {
      const fresh = { ...input };
      delete fresh['session_id'];
      const agent = mintAgentKey(input['agent']);
      const minted = mintRefusals.refuses(agent) ? null : await mintSession(userId);
      if (minted === null) return { upstream: await forward(JSON.stringify(fresh), false), sessionId: null };
      const upstream = await forward(JSON.stringify({ ...fresh, session_id: minted }), false);
      if (isOwn(upstream) || !(await refusesMintedId(upstream))) return { upstream, sessionId: minted };
      await upstream.body?.cancel().catch(() => {});
      mintRefusals.remember(agent);
      await store.release('session', minted, userId);
      log(`agent37 relay: the instance refused a session id the relay minted (HTTP ${upstream.status}); sending the turn again without one`);
      return { upstream: await forward(JSON.stringify(fresh), false), sessionId: null };
    };

    switch (route.name) {
      case 'create-response': {
        const read = await readObject();
        if (!read.ok) return read.response;
        const policy = await applyTurnBodyPolicy(read.value, options, { userId, request });
        if (!policy.ok) return policy.response;
        const input = policy.body;
        const requested = input['session_id'];
        let sessionId: string | null = null;
        let upstream: Response;
        if (requested !== undefined && requested !== null) {
          if (typeof requested !== 'string' || !(await owns('session', requested, userId))) {
            return sessionNotFound();
          }
          sessionId = requested;
          // what was checked is what goes upstream: re-serialized, so a duplicated key cannot mean one thing here and another there
          upstream = await forward(JSON.stringify(input), true);
        } else {
          const waitSeconds = limits.startSession(userId);
          if (waitSeconds !== null) {
            return errorResponse(429, 'rate_limited', `Too many new conversations in a minute. Try again in ${waitSeconds} s.`, {
              'retry-after': String(waitSeconds),
            });
          }
          ({ upstream, sessionId } = await startConversation(input));
        }
        if (isOwn(upstream)) return upstream;
        if (upstream.ok && isEventStream(upstream)) {
          return passOn(upstream, async (ids) => {
            try {
              await claim('session', ids.session_id, userId);
              await claim('response', ids.id, userId);
            } catch (error) {
              log(`agent37 relay: could not record ownership of response ${ids.id} (${describeError(error)})`);
            }
          });
        }
        const answer = await passOn(upstream);
        const json = await readJson(answer);
        if (upstream.ok && isRecord(json) && typeof json['id'] === 'string' && typeof json['session_id'] === 'string') {
          await claim('session', json['session_id'], userId);
          await claim('response', json['id'], userId);
        }
        // a busy session names its running response: the caller owns the session, so that response too
        const busyId = isRecord(json) && isRecord(json['error']) ? json['error']['response_id'] : undefined;
        if (upstream.status === 409 && sessionId !== null && typeof busyId === 'string') {
          await claim('response', busyId, userId);
        }
        return answer;
      }
      case 'stream-response':
      case 'cancel-response':
      case 'get-response': {
        if (!(await owns('response', route.responseId, userId))) {
          return errorResponse(404, 'response_not_found', 'No response with that id.');
        }
        if (route.name === 'cancel-response') {
          // cancel takes no body: read it only to hold the size limit and the deadline, send nothing
          const read = await readBodyWithin(request, maxBodyBytes, bodyTimeoutMs);
          if (!read.ok) return read.reason === 'too-large' ? tooLarge() : tooSlow();
        }
        const upstream = await forward(null, true);
        return isOwn(upstream) ? upstream : passOn(upstream);
      }
      case 'get-session':
      case 'rename-session':
      case 'delete-session': {
        if (!(await owns('session', route.sessionId, userId))) return sessionNotFound();
        let body: string | null = null;
        let title: unknown;
        if (route.name === 'rename-session') {
          const read = await readObject();
          if (!read.ok) return read.response;
          body = JSON.stringify(read.value);
          title = read.value['title'];
        }
        const upstream = await forward(body, true);
        if (isOwn(upstream)) return upstream;
        const answer = await passOn(upstream);
        if (route.name === 'get-session' && upstream.ok) {
          // the running turn of one's own session is one's own (reattach after a reload)
          const json = await readJson(answer);
          const active = isRecord(json) ? json['active_response_id'] : undefined;
          if (typeof active === 'string') await claim('response', active, userId);
        }
        if (route.name === 'rename-session' && upstream.ok && typeof title === 'string') sessionLists.renamed(route.sessionId, title);
        if (route.name === 'delete-session' && (upstream.ok || upstream.status === 404)) {
          // gone upstream: out of the user's list now; the id answers 404 from here on
          sessionLists.deleted(route.sessionId);
          await store.release('session', route.sessionId, userId);
        }
        return answer;
      }
      case 'list-sessions': {
        // one upstream list per agent (and forwarded headers, should they change what it holds), shared by every user
        const key = JSON.stringify([query, ...forwardHeaders.map((name) => request.headers.get(name))]);
        const [listed, own] = await Promise.all([sessionLists.get(key, () => fetchSessionList(request, query)), store.sessionsOf(userId)]);
        if (!listed.ok) return listed.answer();
        const { list } = listed;
        const found: { session: ListedSession; rank: number }[] = [];
        // used since the list was fetched and not in it: new, so listed first, by what the relay knows until the next fetch
        const fresh: ListedSession[] = [];
        for (const session of own) {
          const entry = list.byId.get(session.id);
          if (entry) found.push(entry);
          else if (session.usedAt >= list.fetchedAt - LIST_FRESHNESS_GRACE_MS) fresh.push(sessionLists.recent(session.id, session.usedAt));
        }
        found.sort((a, b) => a.rank - b.rank);
        // `agent` stays, as it describes the query (`?agent=`), not anyone's sessions; counts and cursors describe everyone's
        const agent = list.agent === undefined ? {} : { agent: list.agent };
        return Response.json(
          { ...agent, data: [...fresh, ...found.map((entry) => entry.session)] },
          { headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } },
        );
      }
      case 'models':
      case 'health': {
        const upstream = await forward(null, false);
        return isOwn(upstream) ? upstream : passOn(upstream);
      }
    }
  }

  const relay = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const origin = request.headers.get('origin');
    const logPath = url.pathname;
    let userId: string | null = null;
    /** gives back the user's request slot; a stream holds it until it ends */
    let release: (() => void) | null = null;
    const finish = (response: Response): Response => {
      for (const [name, value] of Object.entries(cors.responseHeaders(origin))) response.headers.set(name, value);
      response.headers.set('x-content-type-options', 'nosniff');
      const code = ownErrorCode(response);
      log(`agent37 relay: ${request.method} ${logPath} ${response.status}${code ? ` ${code}` : ''}${userId === null ? '' : ` user=${userId}`}`);
      return response;
    };

    const notServed = () => errorResponse(404, 'not_found', `The relay does not serve ${request.method} ${url.pathname}.`);

    if (request.method === 'OPTIONS') {
      if (!serves(url.pathname)) return finish(notServed());
      const headers = cors.preflightHeaders(origin);
      log(`agent37 relay: OPTIONS ${logPath} ${headers ? 204 : 403} origin=${origin ?? '-'}`);
      if (!headers) return errorResponse(403, 'origin_not_allowed', 'This origin may not call the relay.');
      return new Response(null, { status: 204, headers: { ...headers, 'x-content-type-options': 'nosniff' } });
    }
    const route = serves(url.pathname) ? matchRoute(request.method, url.pathname.slice(basePath.length)) : null;
    if (!route) {
      await request.body?.cancel().catch(() => {});
      return finish(notServed());
    }

    try {
      const authorization = request.headers.get('authorization') ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return finish(unauthorized('A bearer token from the token endpoint is required.'));
      const check = await verifyRelayToken(key, match[1]!);
      if (!check.ok) {
        return finish(unauthorized(check.reason === 'expired' ? 'The token has expired.' : 'The token is not valid.'));
      }
      userId = check.userId;
      const query = upstreamQuery(route, url.searchParams);
      if (query === null) {
        return finish(validationErrorResponse('agent', 'agent must be one agent name (letters, digits, ".", "_" or "-", at most 64).'));
      }
      release = limits.enter(userId);
      if (release === null) {
        await request.body?.cancel().catch(() => {});
        return finish(
          errorResponse(429, 'rate_limited', 'Too many requests at once from this user. Try again in a moment.', { 'retry-after': '1' }),
        );
      }
      return finish(heldUntilDone(await handle(request, route, query, check.userId, logPath), request, release));
    } catch (error) {
      release?.();
      // only the error's name or code reaches the log (through the redacting log): a message could quote the request or the key
      if (error instanceof UpstreamBodyError) {
        if (error.timedOut) {
          log(`agent37 relay: the instance at ${instance.host} stopped answering ${request.method} ${logPath} for ${upstreamTimeoutMs} ms`);
          return finish(upstreamTimeout());
        }
        log(`agent37 relay: reading the instance's answer failed (${describeFetchError(error.cause)}) for ${request.method} ${logPath}`);
        return finish(errorResponse(502, 'upstream_unreachable', 'The agent37 instance could not be reached. Try again in a moment.'));
      }
      if (request.signal.aborted) {
        // the browser left while its body was read: nobody to answer, nothing wrong here
        return finish(errorResponse(499, 'client_closed_request', 'The client went away before the request was read.'));
      }
      log(`agent37 relay: internal error (${describeFetchError(error)}) for ${request.method} ${logPath}`);
      return finish(errorResponse(500, 'internal_error', 'The chat server failed to answer.'));
    }
  };
  return Object.assign(relay, { serves });
}

/**
 * The answer, holding the user's request slot until its body is done: at once for an answer read
 * whole, when the stream ends (or the browser leaves it) for an event stream. A stream also holds the
 * browser's Request: Node's fetch links a Request's signal to its source through a weak reference
 * that only the Request keeps alive, so without it a client leaving a long stream might not abort upstream.
 */
function heldUntilDone(response: Response, request: Request, release: () => void): Response {
  if (!response.body || !isEventStream(response)) {
    release();
    return response;
  }
  const reader = response.body.getReader();
  const done = () => {
    void request.signal;
    release();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The relay's own answers and errors are told apart from the instance's by their code. */
function isOwn(response: Response): boolean {
  return ownErrorCode(response) !== undefined;
}

function upstreamAuthFailed(): Response {
  return errorResponse(502, 'upstream_auth_failed', 'The chat server is not set up correctly: the agent37 instance refused its API key.');
}

function upstreamTimeout(): Response {
  return errorResponse(504, 'upstream_timeout', 'The agent37 instance did not answer in time. Try again in a moment.');
}

function unauthorized(message: string): Response {
  return errorResponse(401, 'invalid_token', message, { 'www-authenticate': 'Bearer error="invalid_token"' });
}

function sessionNotFound(): Response {
  return errorResponse(404, 'session_not_found', 'No session with that id.');
}

/** Which agent a new conversation's refusal memory is about: '' for the default, one shared key for names that are not plain. */
function mintAgentKey(agent: unknown): string {
  if (agent === undefined || agent === null) return '';
  return typeof agent === 'string' && isPlainAgentName(agent) ? agent : '(other)';
}

function routePath(route: RelayRoute): string {
  switch (route.name) {
    case 'create-response':
      return '/v1/responses';
    case 'stream-response':
      return `/v1/responses/${route.responseId}/stream`;
    case 'cancel-response':
      return `/v1/responses/${route.responseId}/cancel`;
    case 'get-response':
      return `/v1/responses/${route.responseId}`;
    case 'list-sessions':
      return '/v1/sessions';
    case 'get-session':
    case 'rename-session':
    case 'delete-session':
      return `/v1/sessions/${route.sessionId}`;
    case 'models':
      return '/v1/models';
    case 'health':
      return '/v1/health';
  }
}

function parseInstanceUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('agent37-chat/server: instanceUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('agent37-chat/server: instanceUrl must be an absolute http(s) URL');
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) throw new TypeError('agent37-chat/server: basePath must start with "/"');
  return trimmed;
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** The instance's answer stopped midway (connection dropped, or went quiet past the deadline, while the relay read it). */
class UpstreamBodyError extends Error {
  constructor(
    cause: unknown,
    readonly timedOut: boolean,
  ) {
    super('the instance answer could not be read', { cause });
    this.name = 'UpstreamBodyError';
  }
}

/** The whole answer; each chunk gives the next one the deadline again (a non-streamed turn's spaces keep it alive). */
async function readUpstreamBody(upstream: Response, deadline: UpstreamDeadline): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  try {
    if (upstream.body) {
      const reader = upstream.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        deadline.restart();
        chunks.push(value);
      }
    }
  } catch (error) {
    throw new UpstreamBodyError(error, deadline.timedOut);
  } finally {
    deadline.stop();
  }
  return joinChunks(chunks);
}

/** The edge's flat error shape, `{"error": "<code>"}`, as opposed to the gateway's `{"error": {code, ...}}`. */
function isFlatError(bytes: Uint8Array): boolean {
  const json = parseJsonObject(bytes);
  return json !== null && typeof json['error'] === 'string';
}

/** Reads a relayed (already buffered) JSON answer without consuming it for the caller. */
async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

/** The cause's code (ECONNREFUSED, ENOTFOUND, ...) rather than its message, which can quote the request. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return describeError(error);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
