import { type AccountsContext, createUser, getTeam, getUserByEmail } from '../accounts/index.js';

// Who wrote the old system's team replies, here (issue 20): the team member with their
// address, else an agent account made for them, switched off — history keeps its author,
// nobody can sign in with it, and an admin can switch it on. Every source uses this one.

export type Agent = { id: number; active: boolean };

/** The team member a source's agent is here; null when their address is a customer's (their replies are refused). */
export type AgentFor = (agent: { email: string; name: string }) => Promise<Agent | null>;

/**
 * A dry run makes no account: the replies of agents it would make are checked as the first
 * admin's, so its numbers are the real run's. (An installation has an admin from its setup;
 * without one, a dry run stops and says so.)
 */
export function agentsOf(accounts: AccountsContext, dryRun: boolean): AgentFor {
  let standIn: Promise<number> | null = null;
  // A source asks for the same agent at each of their replies: one answer each, for the run.
  const known = new Map<string, Promise<Agent | null>>();
  return (agent) => {
    const key = agent.email.trim().toLowerCase();
    let answer = known.get(key);
    if (!answer) {
      answer = find(agent);
      known.set(key, answer);
    }
    return answer;
  };

  async function find({ email, name }: { email: string; name: string }): Promise<Agent | null> {
    const user = await getUserByEmail(accounts, email);
    if (user) return user.role === 'customer' ? null : { id: user.id, active: user.deactivatedAt === null };
    if (dryRun) {
      standIn ??= getTeam(accounts, { role: 'admin' }).then((admins) => {
        if (!admins[0])
          throw new Error(`a dry run checks the replies of agents it would create (${email}) as an admin's: create the first admin, then run again`);
        return admins[0].id;
      });
      return { id: await standIn, active: false };
    }
    const created = await createUser(accounts, { name, email, role: 'agent', password: null, active: false });
    return { id: created.id, active: false };
  }
}
