/**
 * The short-lived token the token endpoint mints and the relay accepts: an HS256 JWT whose issuer and
 * audience are fixed, so a token minted for anything else (or signed with `alg: none`) never passes.
 */
import { SignJWT, errors, jwtVerify } from 'jose';

export const TOKEN_ISSUER = 'agent37-chat';
export const TOKEN_AUDIENCE = 'agent37-chat-relay';
const ALGORITHM = 'HS256';
/** HS256 with a shorter secret is guessable offline from any token a browser holds. */
const MIN_SECRET_BYTES = 32;

/** A shared secret as a string or bytes; strings are used as their UTF-8 bytes. */
export type TokenSecret = string | Uint8Array;

export function secretKey(secret: TokenSecret): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_SECRET_BYTES) {
    throw new TypeError(`agent37-chat/server: the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

/** Mints a token for `userId`, valid for `ttlSeconds` from now (0 or less mints an already expired one). */
export async function signRelayToken(
  key: Uint8Array,
  userId: string,
  ttlSeconds: number,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(now / 1000);
  const expiresAtSeconds = issuedAt + Math.floor(ttlSeconds);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(key);
  return { token, expiresAt: expiresAtSeconds * 1000 };
}

export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: 'expired' | 'invalid' };

/** Verifies signature, algorithm, issuer, audience and expiry; answers the user id (`sub`). */
export async function verifyRelayToken(key: Uint8Array, token: string): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, reason: 'invalid' };
    return { ok: true, userId: payload.sub };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
