import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiToken, setUserActive } from '../src/accounts/index.js';
import { CLOSE_CREDENTIALS_ENDED, CLOSE_VIEWER_CHANGED } from '../src/realtime/protocol.js';
import type { Store } from '../src/store/database.js';
import { call, type Instance, Live, login, messageOf, type Person, person, sessionPost, startInstance } from './support/live.js';
import { makeTestStore } from './support/store.js';

// An open socket must follow its credentials: when the session or token that opened it
// ends, or its user is switched off or changes role, it is closed with a 4xxx code and
// receives nothing more.
//
// Two servers on one database: `prompt` re-checks only when its own routes report a
// change (its timer is a minute), so a close there proves the immediate path; `polled`
// re-checks every 150 ms and is told nothing, as with a change made by another instance
// or the command line (the tests change accounts through a context without a listener).

let store: Store;
let prompt: Instance;
let polled: Instance;

beforeAll(async () => {
  store = await makeTestStore();
  prompt = await startInstance(store, { recheckMs: 60_000, pollMs: 60_000 });
  polled = await startInstance(store, { recheckMs: 150, pollMs: 60_000 });
});
afterAll(async () => {
  await Promise.all([prompt.app.close(), polled.app.close()]);
  await store.close();
});

/** A session socket, opened the way the web app opens it. */
async function sessionSocket(on: Instance, session: { cookie: string }): Promise<Live> {
  return Live.open(on.ws, { cookie: session.cookie, origin: on.http });
}

/**
 * After `closed` closed, posts a message only the team sees and waits until a socket that
 * is still open has it: the closed sockets must not have it.
 */
async function expectNothingAfter(on: Instance, closed: Live[], witness: Live, writer: Person, conversationId: number, body: string) {
  await call(on, writer, 'POST', `/api/conversations/${conversationId}/messages`, { body, isInternal: true });
  await witness.waitFor(messageOf(body));
  for (const socket of closed) expect(socket.frames.some(messageOf(body)), 'a frame after the close').toBe(false);
}

describe('open sockets follow their credentials', () => {
  it('signing out closes that session’s socket at once, and only that one', async () => {
    const agent = await person(prompt, 'agent');
    const customer = await person(prompt, 'customer');
    const { conversation } = (await call(prompt, customer, 'POST', '/api/conversations', { subject: 'Logout', body: 'x' }))!;
    const [laptop, phone] = [await login(prompt, agent.email), await login(prompt, agent.email)];
    const [onLaptop, onPhone, byToken] = await Promise.all([sessionSocket(prompt, laptop), sessionSocket(prompt, phone), Live.as(agent, prompt)]);
    expect((await sessionPost(prompt, laptop, '/api/auth/logout')).status).toBe(204);
    const closed = await onLaptop.closedWithin(3000);
    expect(closed).toEqual({ code: CLOSE_CREDENTIALS_ENDED, reason: expect.stringMatching(/session ended/) });
    await expectNothingAfter(prompt, [onLaptop], onPhone, agent, conversation.id, 'after the laptop signed out');
    // The other session and the API token were not signed out.
    expect(onPhone.closedWith).toBeNull();
    await byToken.waitFor(messageOf('after the laptop signed out'));
    await Promise.all([onPhone.close(), byToken.close()]);
  });

  it('a password change closes the sockets of every session and API token it ended', async () => {
    const agent = await person(prompt, 'agent');
    const colleague = await person(prompt, 'agent');
    const customer = await person(prompt, 'customer');
    const { conversation } = (await call(prompt, customer, 'POST', '/api/conversations', { subject: 'Password', body: 'x' }))!;
    const [laptop, phone] = [await login(prompt, agent.email), await login(prompt, agent.email)];
    const [onLaptop, onPhone, byToken, witness] = await Promise.all([
      sessionSocket(prompt, laptop),
      sessionSocket(prompt, phone),
      Live.as(agent, prompt),
      Live.as(colleague, prompt),
    ]);
    const changed = await sessionPost(prompt, laptop, '/api/auth/password', { currentPassword: 'correct horse 1', newPassword: 'a much better one' });
    expect(changed.status).toBe(200);
    // The phone's session ended with the change, the laptop's too (it was given a new one), and the API token.
    for (const socket of [onPhone, onLaptop, byToken]) expect((await socket.closedWithin(3000)).code).toBe(CLOSE_CREDENTIALS_ENDED);
    await expectNothingAfter(prompt, [onPhone, onLaptop, byToken], witness, colleague, conversation.id, 'after the password change');
    expect(witness.closedWith).toBeNull();
    await witness.close();
  });

  it('deactivating a user closes their session, bearer and ?token= sockets within the re-check interval', async () => {
    const agent = await person(polled, 'agent');
    const colleague = await person(polled, 'agent');
    const customer = await person(polled, 'customer');
    const { conversation } = (await call(polled, customer, 'POST', '/api/conversations', { subject: 'Deactivate', body: 'x' }))!;
    const session = await login(polled, agent.email);
    const sockets = await Promise.all([
      sessionSocket(polled, session),
      Live.as(agent, polled),
      Live.open(`${polled.ws}?token=${encodeURIComponent(agent.token)}`),
    ]);
    const witness = await Live.as(colleague, polled);
    await setUserActive(polled.accounts, agent.id, false);
    for (const socket of sockets) {
      expect(await socket.closedWithin(3000)).toEqual({ code: CLOSE_CREDENTIALS_ENDED, reason: expect.stringMatching(/deactivated|session ended/) });
    }
    // The token socket names the reason; the session itself was deleted with the deactivation.
    expect(sockets[1]!.closedWith!.reason).toMatch(/deactivated/);
    await expectNothingAfter(polled, sockets, witness, colleague, conversation.id, 'after the deactivation');
    expect(witness.closedWith).toBeNull();
    await witness.close();
  });

  it('revoking an API token closes the sockets it opened', async () => {
    const agent = await person(polled, 'agent');
    const session = await login(polled, agent.email);
    const [byToken, bySession] = await Promise.all([Live.as(agent, polled), sessionSocket(polled, session)]);
    await revokeApiToken(polled.accounts, agent.id, agent.tokenId);
    expect(await byToken.closedWithin(3000)).toEqual({ code: CLOSE_CREDENTIALS_ENDED, reason: 'the API token was revoked' });
    expect(bySession.closedWith).toBeNull();
    await bySession.close();
  });

  it('a role change closes the socket so that it reconnects as who the user is now', async () => {
    const agent = await person(polled, 'agent');
    const customer = await person(polled, 'customer');
    const { conversation } = (await call(polled, customer, 'POST', '/api/conversations', { subject: 'Demoted', body: 'x' }))!;
    const before = await Live.as(agent, polled);
    // Changed in the database, as another instance or an admin tool would.
    await store.db.updateTable('users').set({ role: 'customer' }).where('id', '=', agent.id).execute();
    expect((await before.closedWithin(3000)).code).toBe(CLOSE_VIEWER_CHANGED);
    const [after, witness] = await Promise.all([Live.as(agent, polled), Live.as(customer, polled)]);
    await call(polled, customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'not for former agents' });
    // Every open socket is served in the same pass, so once the owner has it, the former agent was passed over.
    await witness.waitFor(messageOf('not for former agents'));
    expect(after.events()).toEqual([]);
    await Promise.all([after.close(), witness.close()]);
  });
});
