import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import { type AssignmentRule, CHANNEL_NAMES, CHANNELS, type Channel, type Team, type User } from '../api/types';
import { useSession } from '../auth/session';
import { keys } from '../inbox/cache';
import { useTeams } from '../inbox/useTeams';
import { ConfirmDialog } from '../ui/Dialog';
import { Empty, Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { AssignmentRuleForm, assignmentRulesKey, useAssignmentRules } from './AssignmentRuleForm';

// The admins' teams: create one, rename it, choose its members and the channels whose new
// conversations it takes, set how they are handed out, delete it. A deleted team's
// conversations stay, without a team. No label here holds the word "name": the form above
// adding a member has the page's "Name" field. Anyone else of the team reads it all.

function useRefreshTeams() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: keys.teams });
    // The sidebar's teams come with the counts; lists show each conversation's team.
    void client.invalidateQueries({ queryKey: keys.counts });
    void client.invalidateQueries({ queryKey: keys.lists });
    // A new team has a rule, a deleted one none.
    void client.invalidateQueries({ queryKey: assignmentRulesKey });
  };
}

/** The channels whose new conversations go to the team: ticked at once, like the members. */
function TeamChannels({ team, canManage }: { team: Team; canManage: boolean }) {
  const refresh = useRefreshTeams();
  const [channels, setChannels] = useState(team.channels);
  const [busy, setBusy] = useState(false);
  const channelKey = team.channels.join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: channelKey stands for the list's contents.
  useEffect(() => setChannels(team.channels), [channelKey]);
  if (!canManage) {
    return (
      <p className="team-channels-text">
        New conversations from: {team.channels.length ? team.channels.map((c) => CHANNEL_NAMES[c]).join(', ') : 'no channel'}
      </p>
    );
  }
  const toggle = async (channel: Channel) => {
    // In the order the app lists channels, so the server's answer compares equal.
    const next = CHANNELS.filter((c) => (c === channel ? !channels.includes(c) : channels.includes(c)));
    setChannels(next);
    setBusy(true);
    try {
      await endpoints.setTeamChannels(team.id, next);
      // Another team may have lost the channel: the whole list is refetched.
      refresh();
    } catch (error) {
      showError(`Couldn’t change the channels: ${errorMessage(error)}`);
      setChannels(team.channels);
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset className="team-members" disabled={busy}>
      <legend>New conversations from</legend>
      {CHANNELS.map((channel) => (
        <label key={channel} className="team-member">
          <input type="checkbox" checked={channels.includes(channel)} onChange={() => void toggle(channel)} />
          {CHANNEL_NAMES[channel]}
        </label>
      ))}
    </fieldset>
  );
}

/** The rule's form, once the rules have loaded (a team just created has one on the server already). */
function RuleOf({
  scope,
  title,
  rule,
  members,
  canManage,
}: {
  scope: number | 'none';
  title: string;
  rule: AssignmentRule | undefined;
  members: User[];
  canManage: boolean;
}) {
  if (!rule) return null;
  return <AssignmentRuleForm scope={scope} title={title} rule={rule} members={members} canManage={canManage} />;
}

function TeamCard({ team, users, rule, canManage }: { team: Team; users: User[]; rule: AssignmentRule | undefined; canManage: boolean }) {
  const refresh = useRefreshTeams();
  const [name, setName] = useState(team.name);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // Ticked at once; the server's list replaces it when it answers (or undoes it when it refuses).
  const [members, setMembers] = useState(team.memberIds);
  const memberKey = team.memberIds.join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: memberKey stands for the list's contents.
  useEffect(() => setMembers(team.memberIds), [memberKey]);
  const change = async (patch: { name?: string; memberIds?: number[] }, what: string) => {
    setBusy(true);
    try {
      await endpoints.patchTeam(team.id, patch);
      refresh();
    } catch (error) {
      showError(`Couldn’t ${what}: ${errorMessage(error)}`);
      setName(team.name);
      setMembers(team.memberIds);
    } finally {
      setBusy(false);
    }
  };
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && name.trim() !== team.name) void change({ name: name.trim() }, 'rename the team');
  };
  const toggle = (user: User) => {
    const memberIds = members.includes(user.id) ? members.filter((id) => id !== user.id) : [...members, user.id];
    setMembers(memberIds);
    void change({ memberIds }, 'change the members');
  };
  const remove = async () => {
    try {
      const { conversations } = await endpoints.deleteTeam(team.id);
      showToast('info', `Team deleted; ${conversations} conversation${conversations === 1 ? '' : 's'} no longer in a team`);
      refresh();
    } catch (error) {
      showError(`Couldn’t delete the team: ${errorMessage(error)}`);
    }
  };
  // Deactivated people stay listed while they are members, so they can be taken out.
  const candidates = users.filter((u) => u.active !== false || members.includes(u.id));
  const memberUsers = users.filter((u) => team.memberIds.includes(u.id));
  const assignment = <RuleOf scope={team.id} title={`Assignment in ${team.name}`} rule={rule} members={memberUsers} canManage={canManage} />;
  if (!canManage) {
    return (
      <li className="card team-card" data-team-id={team.id}>
        <h3>
          {team.name} <span className="team-open">{team.open} open</span>
        </h3>
        <p>Members: {memberUsers.length ? memberUsers.map((u) => u.name).join(', ') : 'nobody yet'}</p>
        <TeamChannels team={team} canManage={false} />
        {assignment}
      </li>
    );
  }
  return (
    <li className="card team-card" data-team-id={team.id}>
      <form className="rename-form" onSubmit={rename}>
        <input aria-label={`Team ${team.name}`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="button button-small" disabled={busy || !name.trim() || name.trim() === team.name}>
          Rename
        </button>
        <span className="team-open">{team.open} open</span>
      </form>
      <fieldset className="team-members" disabled={busy}>
        <legend>Members of {team.name}</legend>
        {candidates.map((user) => (
          <label key={user.id} className="team-member">
            <input type="checkbox" checked={members.includes(user.id)} onChange={() => toggle(user)} />
            {user.name}
          </label>
        ))}
      </fieldset>
      <TeamChannels team={team} canManage />
      {assignment}
      <button type="button" className="button button-small button-danger-ghost" onClick={() => setConfirming(true)}>
        Delete team<span className="visually-hidden"> {team.name}</span>
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Delete the team ${team.name}?`}
        text="Its conversations stay, without a team."
        confirm="Delete team"
        danger
        onConfirm={() => void remove()}
        onClose={() => setConfirming(false)}
      />
    </li>
  );
}

function NewTeam() {
  const refresh = useRefreshTeams();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await endpoints.createTeam({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      setName('');
      setDescription('');
      refresh();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card add-team" onSubmit={submit} aria-labelledby="add-team-title">
      <h3 id="add-team-title">New team</h3>
      <div className="form-grid">
        <label className="field">
          <span>Team</span>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </label>
        <label className="field">
          <span>Description (optional)</span>
          <input maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </label>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
        {busy ? 'Creating…' : 'Create team'}
      </button>
    </form>
  );
}

/** The Teams section of the team page (admins). */
export function TeamsSection({ users }: { users: User[] }) {
  const { teams, isLoading, error } = useTeams();
  const { rules } = useAssignmentRules();
  const canManage = useSession().data?.user.role === 'admin';
  const client = useQueryClient();
  const ruleOf = (teamId: number | null) => rules.find((r) => (r.team?.id ?? null) === teamId);
  let list = null;
  if (isLoading) list = <Loading label="Loading the teams…" />;
  else if (error) list = <Failed what="the teams" error={error} retry={() => void client.invalidateQueries({ queryKey: keys.teams })} />;
  else if (teams.length === 0) list = <Empty title="No teams yet" />;
  else
    list = (
      <ul className="team-cards">
        {teams.map((team) => (
          // Keyed by name too: a rename elsewhere resets the field to the new name.
          <TeamCard key={`${team.id}:${team.name}`} team={team} users={users} rule={ruleOf(team.id)} canManage={canManage} />
        ))}
      </ul>
    );
  return (
    <section className="teams-section" aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      {list}
      <section className="card team-card no-team-rule" aria-labelledby="no-team-title">
        <h3 id="no-team-title">Conversations without a team</h3>
        <p className="team-open">New conversations from channels no team takes, and those taken out of a team.</p>
        <RuleOf scope="none" title="Assignment without a team" rule={ruleOf(null)} members={users.filter((u) => u.active !== false)} canManage={canManage} />
      </section>
      {canManage ? <NewTeam /> : null}
    </section>
  );
}
