/**
 * `agent37-chat/server`: the token endpoint and the relay that keep the secret key on the server,
 * as Fetch-API handlers (Node, Next.js, Hono, Deno, Bun, Workers) plus an adapter for Node / Express.
 */
export { createTokenHandler, type TokenHandlerOptions } from './token-handler.js';
export { createRelay, type Relay, type RelayOptions } from './relay.js';
export { MemoryOwnershipStore, type MemoryOwnershipStoreOptions, type OwnedKind, type OwnershipStore } from './ownership-store.js';
export { nodeRequestOf, toNodeHandler, type FetchHandler, type NextFunction } from './node-handler.js';
export { TOKEN_AUDIENCE, TOKEN_ISSUER, type TokenSecret } from './relay-token.js';
