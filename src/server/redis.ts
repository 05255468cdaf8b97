/**
 * `agent37-chat/server/redis`: the ownership store for several relay replicas, in Redis. A separate
 * entry so `agent37-chat/server` never loads the `redis` package; this one loads it only once a store
 * made from `{ url }` is first used (`npm install redis`).
 */
export { RedisOwnershipStore, type RedisClient, type RedisOwnershipStoreOptions } from './redis-ownership-store.js';
