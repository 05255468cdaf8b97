/**
 * The simulator's HTTP server: auth, routing and the route handlers of agent37-api.md, on plain
 * node:http. Turns run in the TurnStore; connections only read them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_AGENT } from '../contract/gateway.js';
import { GatewayError, sendEdgeError, sendGatewayError, sendJson } from './errors.js';
import { FAULT_STATUS_CODES, faultsOf, paceOf, type FaultPlan, type Pace } from './faults.js';
import { sendHeldJson } from './held-json.js';
import type { HistoryMode } from './history-writer.js';
import { modelList } from './models.js';
import { knownAgent, parseCreateRequest, parseRenameRequest, PayloadTooLarge, readJsonObject } from './request-body.js';
import type { Revision } from './revision.js';
import type { Session } from './sessions.js';
import { streamFrames } from './sse-writer.js';
import { MAX_RECORDS, replaySource, runTurn, TurnStore, type TurnInit } from './turns.js';

export interface SimulatorOptions {
  /** the accepted secret key(s) */
  key: string | string[];
  /** 0 (default) = a random free port */
  port?: number;
  host?: string;
  keepaliveMs?: number;
  replayBufferMs?: number;
  recordTtlMs?: number;
  /** honour the x-agent37-sim-fault header */
  faults?: boolean;
  pace?: 'realistic' | 'fast';
  revision?: Revision;
  /** newer revision: write a turn's history as it runs (Hermes, the default) or when it ends; the first revision always at the end */
  history?: HistoryMode;
  /** the record store's size (1000); the oldest record is evicted, even a running one */
  maxRecords?: number;
  /** newer revision: a non-streaming POST writes a space this often until its JSON is ready (25000) */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const SIMULATOR_VERSION = '0.1.0';

interface Config {
  keys: Set<string>;
  keepaliveMs: number;
  heartbeatMs: number;
  faults: boolean;
  pace: Pace;
  revision: Revision;
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  faults: FaultPlan;
  params: string[];
  query: URLSearchParams;
}

type Handler = (ctx: RequestContext) => Promise<void> | void;

function decodeIdOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function notFound(message = 'No such route.'): GatewayError {
  return new GatewayError({ code: 'not_found', message });
}

/** Starts a simulator; resolves once it listens. */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  const keys = new Set(Array.isArray(options.key) ? options.key : [options.key]);
  if (keys.size === 0 || [...keys].some((key) => !key)) throw new Error('createSimulator: a non-empty key is required');
  const maxRecords = options.maxRecords ?? MAX_RECORDS;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new Error('createSimulator: maxRecords must be a whole number of at least 1');
  const config: Config = {
    keys,
    keepaliveMs: options.keepaliveMs ?? 30_000,
    heartbeatMs: options.heartbeatMs ?? 25_000,
    faults: options.faults ?? false,
    pace: options.pace ?? 'realistic',
    revision: options.revision ?? 'newer',
  };
  const store = new TurnStore({
    revision: config.revision,
    replayBufferMs: options.replayBufferMs ?? 60_000,
    recordTtlMs: options.recordTtlMs ?? 1_800_000,
    history: options.history ?? 'live',
    maxRecords,
  });
  const closing = new AbortController();
  const log = options.log;

  function sessionNotFound(id: string): GatewayError {
    return new GatewayError({ code: 'session_not_found', message: `Session ${id} does not exist.` });
  }

  function responseNotFound(id: string): GatewayError {
    return new GatewayError({ code: 'response_not_found', message: `Response ${id} does not exist or has expired.` });
  }

  function sessionBusy(session: Session | undefined): GatewayError {
    const running = session?.activeTurn;
    return new GatewayError({
      code: 'session_busy',
      message: 'A turn is already running in this session. Reattach to it, cancel it, or use another session.',
      ...(running && config.revision === 'newer' ? { response_id: running.id } : {}),
    });
  }

  function existingSession(id: string, agent: string): Session {
    const session = store.sessions.get(id, agent);
    if (!session) throw sessionNotFound(id);
    return session;
  }

  /** `?agent=NAME` (newer): whose sessions a call means; the first revision has one space for all. */
  function agentOf(query: URLSearchParams): string {
    const agent = query.get('agent');
    return config.revision === 'newer' && agent ? knownAgent(agent) : DEFAULT_AGENT;
  }

  const createResponse: Handler = async ({ req, res, faults }) => {
    const pace = paceOf(req, config.pace);
    const body = await readJsonObject(req);
    if (faults.status !== undefined) return answerFault(res, faults, body);
    const request = parseCreateRequest(body, config.revision);

    let session: Session;
    if (request.sessionId === null) {
      session = store.createSession(request.agent);
    } else {
      const known = store.sessions.get(request.sessionId, request.agent);
      if (known) session = known;
      else if (config.revision === 'first') throw sessionNotFound(request.sessionId);
      else session = store.createSession(request.agent, request.sessionId);
    }
    if (session.activeTurn) throw sessionBusy(session);
    if (request.model !== null) session.model = request.model;
    if (request.provider !== null) session.provider = request.provider;
    // first revision: one space of sessions, so a session runs whichever agent the last turn named
    if (config.revision === 'first') session.agent = request.agent;

    const init: TurnInit = {
      session,
      input: request.input,
      agent: request.agent,
      model: request.model ?? session.model,
      provider: request.provider ?? session.provider,
      metadata: request.metadata,
      pace,
      ...(faults.failAfterEvents === undefined ? {} : { failAfterEvents: faults.failAfterEvents }),
    };
    const turn = store.startTurn(init);
    runTurn(store, turn, init, closing.signal).catch((error: unknown) => log?.(`turn ${turn.id} crashed: ${String(error)}`));

    if (request.stream) {
      await streamFrames(res, { frames: turn.frames!, live: turn }, { keepaliveMs: config.keepaliveMs, faults, closing: closing.signal });
      return;
    }
    if (config.revision === 'newer') return sendHeldJson(res, turn.finished, () => turn.toObject(), config.heartbeatMs);
    await turn.finished;
    sendJson(res, 200, turn.toObject());
  };

  const getResponse: Handler = ({ res, params }) => {
    if (config.revision === 'newer') throw notFound();
    const turn = store.turn(params[0]!);
    if (!turn) throw responseNotFound(params[0]!);
    sendJson(res, 200, turn.toObject());
  };

  const streamResponse: Handler = async ({ res, faults, params }) => {
    const turn = store.turn(params[0]!);
    if (!turn) throw responseNotFound(params[0]!);
    await streamFrames(res, replaySource(turn), { keepaliveMs: config.keepaliveMs, faults, closing: closing.signal });
  };

  const cancelResponse: Handler = async ({ res, params }) => {
    const turn = store.turn(params[0]!);
    if (!turn) throw responseNotFound(params[0]!);
    if (turn.running) {
      turn.cancel();
      // the newer gateway answers at once (usually still in_progress); the turn ends on its own
      if (config.revision === 'first') await turn.finished;
    }
    sendJson(res, 200, turn.toObject());
  };

  const listSessions: Handler = ({ res, query }) => {
    const agent = agentOf(query);
    const data = store.sessions.list(agent).map((session) => session.summary());
    sendJson(res, 200, config.revision === 'first' ? { data } : { agent, data });
  };

  const getSession: Handler = ({ res, params, query }) => {
    const id = params[0]!;
    if (config.revision === 'first') return sendJson(res, 200, existingSession(id, DEFAULT_AGENT).detail());
    // Hermes reads history from its own store, where an unknown id simply has none
    const session = store.sessions.get(id, agentOf(query));
    sendJson(res, 200, session ? session.detail() : { id, history: [], active_response_id: null });
  };

  const renameSession: Handler = async ({ req, res, params, query }) => {
    if (config.revision === 'first') {
      throw new GatewayError({ code: 'rename_unsupported', message: 'Renaming sessions is not supported by this gateway.' });
    }
    const agent = agentOf(query);
    const session = existingSession(params[0]!, agent);
    const title = parseRenameRequest(await readJsonObject(req));
    if (store.sessions.titleHolder(agent, title, session)) {
      throw new GatewayError({ code: 'title_conflict', message: `Another session is already titled "${title}".`, param: 'title' });
    }
    session.title = title;
    sendJson(res, 200, { id: session.id, agent, renamed: true });
  };

  const deleteSession: Handler = ({ res, params, query }) => {
    const id = params[0]!;
    if (config.revision === 'first') {
      const session = existingSession(id, DEFAULT_AGENT);
      session.activeTurn?.cancel();
      store.sessions.delete(id, DEFAULT_AGENT);
    } else {
      // the newer gateway leaves a running turn to finish: its stream and record stay
      store.sessions.delete(id, agentOf(query));
    }
    sendJson(res, 200, { id, deleted: true });
  };

  const health: Handler = ({ res, query }) => {
    const extra = { simulator: true, revision: config.revision };
    if (config.revision === 'first') return sendJson(res, 200, { ok: true, agent: DEFAULT_AGENT, ...extra });
    // `hermes` is the older name of `healthy`
    sendJson(res, 200, { ok: true, agent: agentOf(query), healthy: true, hermes: true, ...extra });
  };

  const routes: { method: string; pattern: RegExp; handler: Handler }[] = [
    { method: 'POST', pattern: /^\/v1\/responses$/, handler: createResponse },
    { method: 'GET', pattern: /^\/v1\/responses\/([^/]+)$/, handler: getResponse },
    { method: 'GET', pattern: /^\/v1\/responses\/([^/]+)\/stream$/, handler: streamResponse },
    { method: 'POST', pattern: /^\/v1\/responses\/([^/]+)\/cancel$/, handler: cancelResponse },
    { method: 'GET', pattern: /^\/v1\/sessions$/, handler: listSessions },
    { method: 'GET', pattern: /^\/v1\/sessions\/([^/]+)$/, handler: getSession },
    { method: 'PATCH', pattern: /^\/v1\/sessions\/([^/]+)$/, handler: renameSession },
    { method: 'DELETE', pattern: /^\/v1\/sessions\/([^/]+)$/, handler: deleteSession },
    { method: 'GET', pattern: /^\/v1\/models$/, handler: ({ res, query }) => sendJson(res, 200, modelList(config.revision, agentOf(query))) },
    { method: 'GET', pattern: /^\/v1\/health$/, handler: health },
    { method: 'GET', pattern: /^\/v1\/version$/, handler: ({ res }) => sendJson(res, 200, { name: 'agent37-simulator', version: SIMULATOR_VERSION }) },
  ];

  /** `status=` fault: answer that error in the gateway's shape; no turn starts. */
  function answerFault(res: ServerResponse, faults: FaultPlan, body?: Record<string, unknown>): void {
    const status = faults.status!;
    // "429 with Retry-After": 429 and 503 say when to come back (1 s unless the directive says otherwise)
    const retryAfter = faults.retryAfter ?? (status === 429 || status === 503 ? '1' : undefined);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
    if (status === 409) {
      const sessionId = typeof body?.session_id === 'string' ? body.session_id : undefined;
      const agent = typeof body?.agent === 'string' ? body.agent : DEFAULT_AGENT;
      const error = sessionBusy(sessionId === undefined ? undefined : store.sessions.get(sessionId, agent));
      return sendGatewayError(res, new GatewayError(error.body, headers));
    }
    const { code, message } = FAULT_STATUS_CODES[status]!;
    sendGatewayError(res, new GatewayError({ code, message: `${message} (injected fault)` }, headers));
  }

  /** X-Agent37-Key wins over Authorization: Bearer when both are sent. */
  function credentialOf(req: IncomingMessage): string | null {
    const header = req.headers['x-agent37-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key) return key.trim();
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return match ? match[1]!.trim() : null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const credential = credentialOf(req);
    if (!credential) return sendEdgeError(res, 401, 'invalid_api_key', 'Send your secret key as Authorization: Bearer or X-Agent37-Key.');
    if (!config.keys.has(credential)) {
      // The edge answers a key of another workspace with 404, anything else with 401.
      if (credential.startsWith('sk_live_')) return sendEdgeError(res, 404, 'not_found');
      return sendEdgeError(res, 401, 'invalid_api_key', 'The API key is not valid.');
    }

    const matching = routes.filter((route) => route.pattern.test(path));
    if (matching.length === 0) throw notFound();
    const route = matching.find((candidate) => candidate.method === req.method);
    if (!route) {
      // the newer gateway has no 405: an unsupported method is a plain not_found
      if (config.revision === 'newer') throw notFound(`${req.method} is not supported on ${path}.`);
      res.setHeader('allow', matching.map((candidate) => candidate.method).join(', '));
      throw new GatewayError({ code: 'method_not_allowed', message: `${req.method} is not allowed on ${path}.` });
    }
    const faults = faultsOf(req, config.faults);
    // an id that is not valid percent-encoding (`%zz`) names nothing: kept as sent, it finds no record and gets that route's 404
    const params = route.pattern.exec(path)!.slice(1).map(decodeIdOrKeep);
    if (faults.status !== undefined && route.handler !== createResponse) return answerFault(res, faults);
    await route.handler({ req, res, faults, params, query: url.searchParams });
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (log) res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode}`));
    handle(req, res).catch((error: unknown) => {
      if (error instanceof PayloadTooLarge) {
        // Stop reading: answer, then close the connection instead of draining an unbounded body.
        res.setHeader('connection', 'close');
        sendGatewayError(res, error);
        res.on('finish', () => setTimeout(() => req.socket.destroy(), 50).unref());
        return;
      }
      if (error instanceof GatewayError) return sendGatewayError(res, error);
      log?.(`internal error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendGatewayError(res, new GatewayError({ code: 'internal_error', message: 'The simulator hit an internal error.' }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closed ??= (async () => {
        closing.abort();
        for (const turn of store.allTurns()) turn.release();
        // Let open streams write their end before the sockets go.
        await new Promise((resolve) => setImmediate(resolve));
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await done;
      })();
      return closed;
    },
  };
}
