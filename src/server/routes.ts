/**
 * The allow-list of gateway routes the widget uses, and of the one query parameter they may carry.
 * Anything else is answered 404 by the relay without reaching the instance, so the key cannot be used
 * for calls the widget never makes.
 */
export type RelayRoute =
  | { name: 'create-response' }
  | { name: 'stream-response'; responseId: string }
  | { name: 'cancel-response'; responseId: string }
  | { name: 'get-response'; responseId: string }
  | { name: 'list-sessions' }
  | { name: 'get-session'; sessionId: string }
  | { name: 'rename-session'; sessionId: string }
  | { name: 'delete-session'; sessionId: string }
  | { name: 'models' }
  | { name: 'health' };

/** Ids are 32 hex in practice; this only keeps path tricks (`..`, encoded slashes) out. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Matches a path below the relay's base path (`/v1/...`) and a method against the allow-list. */
export function matchRoute(method: string, path: string): RelayRoute | null {
  const segments = path.split('/');
  if (segments[0] !== '' || segments[1] !== 'v1') return null;
  const [resource, id, action, ...rest] = segments.slice(2);
  if (rest.length > 0) return null;
  if (id !== undefined && !ID.test(id)) return null;

  if (resource === 'responses') {
    if (id === undefined) return method === 'POST' ? { name: 'create-response' } : null;
    if (action === undefined) return method === 'GET' ? { name: 'get-response', responseId: id } : null;
    if (action === 'stream' && method === 'GET') return { name: 'stream-response', responseId: id };
    if (action === 'cancel' && method === 'POST') return { name: 'cancel-response', responseId: id };
    return null;
  }
  if (resource === 'sessions' && action === undefined) {
    if (id === undefined) return method === 'GET' ? { name: 'list-sessions' } : null;
    if (method === 'GET') return { name: 'get-session', sessionId: id };
    if (method === 'PATCH') return { name: 'rename-session', sessionId: id };
    if (method === 'DELETE') return { name: 'delete-session', sessionId: id };
    return null;
  }
  if (id === undefined && method === 'GET') {
    if (resource === 'models') return { name: 'models' };
    if (resource === 'health') return { name: 'health' };
  }
  return null;
}

/** A name as agents are named (`hermes`, `claude-code`, `opencode`): nothing that could change the upstream URL. */
const PLAIN_AGENT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export function isPlainAgentName(value: string): boolean {
  return PLAIN_AGENT_NAME.test(value);
}

/**
 * The query string the relay sends upstream: `?agent=NAME` or nothing. Hermes scopes session reads by
 * it (another agent's session is found only with it), so it is the one parameter passed on; every
 * other one is dropped. Null when `agent` is not one plain name (the caller answers 400).
 */
export function upstreamQuery(route: RelayRoute, params: URLSearchParams): string | null {
  // a new turn names its agent in the body
  if (route.name === 'create-response') return '';
  const agents = params.getAll('agent');
  if (agents.length === 0) return '';
  if (agents.length > 1 || !isPlainAgentName(agents[0]!)) return null;
  return `?agent=${agents[0]}`;
}
