/**
 * Who is calling: API keys (bearer tokens) mapped to roles, checked on every route that
 * declares `config.roles`; routes without roles (health, docs) are public.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiKey, Role } from './config.js';
import type { App } from './http.js';
import { sendError } from './httpErrors.js';

/** Who is calling: the key's role, and for a partner its channel. */
export interface Principal {
  readonly role: Role;
  readonly channelId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent = public (health, docs). */
    roles?: readonly Role[];
  }
}

/** 403 unless the principal may read `channelId` (partners only their own). */
export function canReadChannel(request: FastifyRequest, channelId: string): boolean {
  const p = request.principal;
  return p.role !== 'partner' || p.channelId === channelId;
}

/**
 * The key a bearer token belongs to. Every configured key is compared with the candidate, with
 * no early exit, by `timingSafeEqual` over SHA-256 digests: neither where the first difference
 * is, nor the length of a key, nor which key matched shows in the time taken.
 */
function apiKeyMatcher(keys: readonly ApiKey[]): (candidate: string) => ApiKey | undefined {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const digests = keys.map((key) => ({ key, digest: sha256(key.key) }));
  return (candidate) => {
    const given = sha256(candidate);
    let found: ApiKey | undefined;
    for (const d of digests) {
      const equal = timingSafeEqual(d.digest, given);
      if (equal && found === undefined) found = d.key;
    }
    return found;
  };
}

/**
 * Sets `request.principal` on every route that declares roles: 401 without a valid key, 403
 * when the key's role is not among the route's (admin may use every route). Without keys
 * configured, every caller is admin.
 */
export function installAuthorization(app: App, apiKeys: readonly ApiKey[]): void {
  const keyOf = apiKeyMatcher(apiKeys);
  const withKeys = apiKeys.length > 0;
  // Set by the onRequest hook below on every route that declares roles.
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    if (!withKeys) {
      request.principal = { role: 'admin' };
      return;
    }
    const header = request.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? keyOf(header.slice(7).trim()) : undefined;
    if (key === undefined) {
      void reply.header('www-authenticate', 'Bearer realm="chanperf"');
      return sendError(reply, 401, 'UNAUTHORIZED', 'a valid API key is required (Authorization: Bearer KEY)');
    }
    request.principal =
      key.channelId === undefined ? { role: key.role } : { role: key.role, channelId: key.channelId };
    if (!roles.includes(key.role) && key.role !== 'admin') {
      return sendError(reply, 403, 'FORBIDDEN', `the ${key.role} role may not use this endpoint`);
    }
  });
}
