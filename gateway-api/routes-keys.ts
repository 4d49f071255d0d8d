/**
 * API keys over HTTP, while the gateway runs: a participant lists its keys, issues another (one
 * per till or system) and revokes one — a leaked key stops working at once, with no restart
 * (`zfc keys` on the command line needs the gateway stopped: it holds the database). A
 * regulator does the same for any participant: lists anyone's keys, issues a key to a
 * participant that lost its own, revokes a key in an incident.
 *
 * A new key is shown once, in the 201 answer; a retry under the same Idempotency-Key gets the
 * answer without it (keys are stored hashed only). A participant may not revoke its own last
 * active key (it could not call again); it issues the next one first.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZfcError } from '../chaincode/errors';
import { ID_PATTERN } from '../chaincode/schemas';
import type { ApiKeyRecord, ApiKeys, Caller } from './api-keys';
import { fingerprint, type IdempotencyStore } from './idempotency';
import { readJson } from './json-body';
import { callerIsRegulator, listedFor } from './routes-read';
import type { TraceIndex } from './trace-index';

/** What the key routes need. */
export interface KeyDeps {
  readonly keys: ApiKeys;
  readonly index: TraceIndex;
  readonly idempotency: IdempotencyStore;
  readonly bodyLimitBytes: number;
}

/** A key as answered: its record, and whether it is the one this request came with. */
type KeyAnswer = ApiKeyRecord & { readonly current: boolean };

/** The longest label a key takes (a till's or system's name). */
export const MAX_KEY_LABEL = 100;

const ID = new RegExp(ID_PATTERN);

/** Adds the key routes to an authenticated router. */
export function addKeyRoutes(router: Router, deps: KeyDeps): void {
  const caller = (ctx: Context): Caller => ctx.state['caller'] as Caller;
  const isRegulator = (ctx: Context): boolean => callerIsRegulator(deps.index, ctx);
  const answer = (ctx: Context, r: ApiKeyRecord): KeyAnswer => ({ ...r, current: r.id === caller(ctx).keyId });

  router.get('/v1/keys', async (ctx) => {
    const params = Object.entries(ctx.query);
    for (const [k, v] of params) {
      if (k !== 'participant') throw bad(k, 'is not a parameter of this route (allowed: participant)');
      if (typeof v !== 'string' || !ID.test(v)) throw bad('participant', 'must be a participant ID, given once');
    }
    const whose = listedFor(deps.index, ctx, ctx.query['participant'] as string | undefined, 'keys');
    ctx.body = { keys: (await deps.keys.list()).filter((r) => whose === undefined || r.participant === whose).map((r) => answer(ctx, r)) };
  });

  router.post('/v1/keys', async (ctx) => {
    const body = (await readJson(ctx, deps.bodyLimitBytes)) ?? {};
    const { participant, label } = keyRequest(body, caller(ctx).participant);
    if (participant !== caller(ctx).participant && !isRegulator(ctx)) throw new ZfcError('FORBIDDEN', 'a participant issues keys to itself; only regulators issue them to another');
    const done = await deps.idempotency.run(caller(ctx).keyId, ctx.get('idempotency-key') || undefined, fingerprint('POST', ctx.path, body), async () => {
      if (deps.index.participant(participant).role === '') throw new ZfcError('PARTICIPANT_NOT_FOUND', `no participant ${participant}`, { participant });
      const created = await deps.keys.create({ participant, label });
      const record = answer(ctx, created.record);
      // the key is shown once: a retry gets the same answer without it
      return { status: 201, body: { ...record, key: created.key }, replay: { ...record, key: null } };
    });
    if (done.replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = done.status;
    ctx.body = done.body;
  });

  router.post('/v1/keys/:id/revocation', async (ctx) => {
    const id = String(ctx.params['id']);
    if (!/^k_[0-9a-f]{12}$/.test(id)) throw bad('id', 'must be a key ID (k_ and 12 hex digits)');
    const body = await readJson(ctx, deps.bodyLimitBytes);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0)) throw bad('/', 'must be empty or {}: a revocation takes nothing but the key\'s ID');
    const all = await deps.keys.list();
    const record = all.find((r) => r.id === id);
    const own = caller(ctx).participant;
    // another participant's key is as absent as an unknown one (its existence is not the caller's to learn)
    if (!record || (record.participant !== own && !isRegulator(ctx))) throw new ZfcError('NOT_FOUND', `no key ${id} of yours`, { id });
    if (!record.revokedAt && record.participant === own && !all.some((r) => r.participant === own && !r.revokedAt && r.id !== id)) {
      throw new ZfcError('CONFLICT', 'this is your last active key: revoking it would lock you out; issue another first (POST /v1/keys)', { id });
    }
    await deps.keys.revoke(id); // a key already revoked stays as it was
    ctx.body = answer(ctx, (await deps.keys.list()).find((r) => r.id === id) as ApiKeyRecord);
  });
}

/** The participant and label of a key request: `{ "label"?, "participant"? }`, nothing else. */
function keyRequest(body: unknown, own: string): { participant: string; label: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('/', 'must be an object: { "label"?, "participant"? }');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'label' && k !== 'participant') throw bad(`/${k}`, 'is not a field of a key request (label, participant)');
  const label = b['label'] ?? '';
  // eslint-disable-next-line no-control-regex -- a label is shown in lists and logs: no control characters
  if (typeof label !== 'string' || label.length > MAX_KEY_LABEL || /[\u0000-\u001f\u007f]/.test(label)) throw bad('/label', `must be text of at most ${MAX_KEY_LABEL} characters, without control characters`);
  const participant = b['participant'] ?? own;
  if (typeof participant !== 'string' || !ID.test(participant)) throw bad('/participant', 'must be a participant ID');
  return { participant, label };
}

function bad(field: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${field} ${message}`, { field });
}
