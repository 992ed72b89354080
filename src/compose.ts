import path from 'node:path';
import { type AccountsContext, accountsContext, SeenTracker, teamOnline } from './accounts/index.js';
import { type AttachmentCleaner, LocalAttachmentStorage, startAttachmentCleaner } from './attachments/index.js';
import type { ChatContext } from './channels/chat/chat.js';
import { type ChatSettings, createChatContext } from './channels/chat/index.js';
import { createCsatMailer } from './channels/email/csat-mail.js';
import { createEmailChannel, type EmailChannel, type EmailChannelConfig, emailSideEffects, reprocessFailedMail } from './channels/email/index.js';
import { notificationMailModule } from './channels/email/notification-mail.js';
import { createPushChannel, PUSH_JOB } from './channels/push/index.js';
import type { Config } from './config.js';
import { coreRoutes, realtimeMount, registerApi } from './http/api.js';
import type { UploadOptions } from './http/multipart.js';
import { assignmentRoutes } from './http/routes/assignment.js';
import type { AuthRouteOptions } from './http/routes/auth.js';
import { bulkRoutes } from './http/routes/bulk.js';
import { csatRoutes } from './http/routes/csat.js';
import { emailRoutes } from './http/routes/email.js';
import { mergeRoutes } from './http/routes/merge.js';
import { pushRoutes } from './http/routes/push.js';
import { reportRoutes } from './http/routes/reports.js';
import { snoozeRoutes } from './http/routes/snooze.js';
import { spamRoutes } from './http/routes/spam.js';
import { widgetRoutes } from './http/routes/widget.js';
import { buildServer, type ServerOptions, type ZodApp } from './http/server.js';
import { registerWebApp, type WebAppOptions } from './http/web-app.js';
import { drainQueues } from './inbox/assignment/drain.js';
import { DRAIN_TIMER } from './inbox/assignment/request.js';
import { EventBus } from './inbox/bus.js';
import { requestSurvey } from './inbox/commands/csat.js';
import { SNOOZE_TIMER, wakeSnoozed } from './inbox/commands/snooze.js';
import { purgePayload, purgeSpam, SPAM_PURGE_TIMER } from './inbox/commands/spam.js';
import { BULK_TIMER, resumeBulkJobs, runBulkJob } from './inbox/commands.js';
import { createInboxContext, type InboxContext, type SideEffectPlanner } from './inbox/context.js';
import { CSAT_EXPIRY_MS, CSAT_MAIL_JOB, CSAT_TIMER, type CsatSettings, csatPlanner, parseCsatTimerPayload } from './inbox/csat.js';
import { notificationCleanupModule } from './inbox/notifications/cleanup.js';
import { createOutboxWorker, type OutboxWorker } from './jobs/outbox-worker.js';
import type { KbContext } from './kb/records.js';
import { type Log, type Module, pinoLog, type RouteMount } from './modules.js';
import { CredentialWatch, type CredentialWatchOptions } from './realtime/credentials.js';
import { type HubOptions, RealtimeHub } from './realtime/hub.js';
import { PresenceRelay } from './realtime/presence.js';
import { openStore, type Store } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

// The composition root: the one place that builds the application from its configuration.
// The server (src/app.ts), the command line and the tests (test/support/app.ts) all use it,
// so what runs in a test is wired exactly as what runs in production.

/** The configuration, where the email channel may also name its listener's host (tests bind to loopback). */
export type AppConfig = Omit<Config, 'email'> & { email: EmailChannelConfig | null };

/** What a caller other than the server changes: tests pass clocks, tunings and a database of their own. */
export type ComposeOverrides = {
  /** An open, migrated database the caller keeps and closes; without it one is opened from the config and stop() closes it. */
  store?: Store;
  /** The clock of inbox commands and the knowledge base. */
  clock?: () => number;
  /** The clock of accounts (sessions, links). */
  accountsClock?: () => number;
  /** Planned besides the modules' own (a test's email planner without a running channel). */
  sideEffects?: SideEffectPlanner[];
  /** The server's logger (see buildServer); default: JSON lines on stdout at LOG_LEVEL. */
  logger?: ServerOptions['logger'];
  /** Where the parts report trouble; default: the server's logger. */
  log?: Log;
  /** Session cookies only over HTTPS; default: when PUBLIC_URL is https. */
  secureCookies?: boolean;
  /** Address to listen on; default every interface. */
  host?: string;
  realtime?: HubOptions & CredentialWatchOptions;
  loginLimits?: AuthRouteOptions['limits'];
  /** The built widget served at /widget.js. */
  widgetBundle?: string;
  /** Where uploads are kept; default DATA_DIR/attachments; null: the API takes no files. */
  attachmentsDir?: string | null;
  /** The built web app; false: none (API only). */
  webApp?: WebAppOptions | false;
  /** The outbox worker's clock, and whether start() runs it (false: the caller calls runOnce()). */
  worker?: { clock?: () => number; run?: boolean };
  /** The email channel's flood limit on inbound mail. */
  emailFloodLimit?: { count: number; windowMs: number };
};

export type Composition = {
  store: Store;
  bus: EventBus;
  inbox: InboxContext;
  /** The server's accounts: credential changes made through them close live sockets at once. */
  accounts: AccountsContext;
  kb: KbContext;
  uploads: UploadOptions | undefined;
  hub: RealtimeHub;
  worker: OutboxWorker;
  chat: ChatContext;
  /** The running email channel, or null when SUPPORT_ADDRESSES is not set. */
  email: EmailChannel | null;
  modules: Module[];
  routes: RouteMount[];
  server: ZodApp;
  log: Log;
  /** Starts the worker, the cleaner and the modules, then listens; resolves to the server's URL. */
  start(): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish, then stops the rest and closes the database. */
  stop(): Promise<void>;
};

export async function composeApp(config: AppConfig, overrides: ComposeOverrides = {}): Promise<Composition> {
  // Until the server (and its logger) exists, the store reports to this one.
  let log: Log = overrides.log ?? { info: console.log, warn: console.error, error: console.error };
  const ownsStore = !overrides.store;
  const store = overrides.store ?? openStore(config, { backgroundCheckpoints: true, onError: (message) => log.error(message) });
  try {
    if (ownsStore) await migrateToLatest(store);
    const server = buildServer({ store, logger: overrides.logger ?? true, logLevel: config.logLevel, trustProxy: config.trustProxy });
    log = overrides.log ?? pinoLog(server.log);
    return await assemble(config, overrides, { store, ownsStore, server, log });
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
}

async function assemble(
  config: AppConfig,
  overrides: ComposeOverrides,
  base: { store: Store; ownsStore: boolean; server: ZodApp; log: Log },
): Promise<Composition> {
  const { store, server, log } = base;
  const secureCookies = overrides.secureCookies ?? config.publicUrl.startsWith('https:');
  const warn = (message: string, error?: unknown) => log.warn(message, error === undefined ? {} : { err: error });
  const bus = new EventBus();
  // Modules add their planners below, before any command runs.
  const sideEffects: SideEffectPlanner[] = [...(overrides.sideEffects ?? [])];
  const inbox = createInboxContext({
    store,
    bus,
    clock: overrides.clock ?? Date.now,
    reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply,
    sideEffects,
  });
  const kb: KbContext = { store, clock: inbox.clock };
  const storage = overrides.attachmentsDir === null ? null : new LocalAttachmentStorage(overrides.attachmentsDir ?? path.join(config.dataDir, 'attachments'));
  const uploads = storage ? { storage, limits: config.attachments } : undefined;

  // One hub per server, living as long as it: it tails the event table of this store.
  const hub = new RealtimeHub(store, bus, { log: warn, ...overrides.realtime });
  const plainAccounts = accountsContext(store, overrides.accountsClock, config.publicUrl);
  const watch = new CredentialWatch(plainAccounts, { log: warn, ...overrides.realtime });
  // Sign-outs, revocations and deactivations made through this server close its sockets at
  // once; changes made elsewhere (another instance, the command line) wait for the watch's round.
  const accounts: AccountsContext = { ...plainAccounts, onCredentialsChanged: () => watch.recheck() };
  const presence = new PresenceRelay();
  const seen = new SeenTracker(accounts, warn);

  const chat = createChatContext(inbox, kb, config.chat, warn);
  const email = config.email
    ? await createEmailChannel({
        store,
        inbox,
        dataDir: config.dataDir,
        config: config.email,
        attachments: storage,
        floodLimit: overrides.emailFloodLimit,
        log: (message, details) => log.warn(`email: ${message}`, details),
      })
    : null;
  const modules = [
    chatModule({ chat, settings: config.chat, hub, presence, teamOnline: () => teamOnline(accounts), uploads, bundle: overrides.widgetBundle }),
    emailModule({ config: config.email, channel: email, inbox }),
    assignmentModule(inbox),
    spamModule(inbox, email),
    snoozeModule(inbox),
    bulkModule(inbox, email, log),
    notificationMailModule({ inbox, channel: email, smtpUrl: config.email?.smtpUrl ?? null, publicUrl: config.publicUrl }),
    pushModule({ store, config, email, clock: overrides.worker?.clock }),
    // Issue 18: read notifications and delivery records go after 90 days (a daily timer).
    notificationCleanupModule(inbox, (message, details) => log.error(message, details), overrides.worker?.clock ?? Date.now),
    csatModule({ inbox, config, channel: email }),
  ];
  for (const module of modules) sideEffects.push(...(module.sideEffects ?? []));

  const worker = createOutboxWorker({
    store,
    handlers: Object.assign({}, ...modules.map((module) => module.jobHandlers ?? {})),
    timerHandlers: Object.assign({}, ...modules.map((module) => module.timerHandlers ?? {})),
    clock: overrides.worker?.clock,
    log: (message, details) => log.warn(message, details),
  });
  // Commands publish after commit, so their jobs are in the table when the worker wakes.
  bus.subscribe(() => worker.wake());

  const core = coreRoutes({
    inbox,
    accounts,
    kb,
    secureCookies,
    loginLimits: overrides.loginLimits,
    attachments: uploads,
    contact: config.contact,
    signup: config.signup,
    support: email?.support ?? null,
  });
  // Merging conversations (issue 17): beside the conversation routes.
  core.push((app) => app.register(mergeRoutes, { inbox }));
  // Reports (issue 19): the read side of the facts and rollups the commands write.
  core.push((app) => app.register(reportRoutes, { inbox }));
  const routes = [...core, ...modules.flatMap((module) => module.routes ?? []), realtimeMount({ hub, watch, presence, accounts, seen })];
  await registerApi(server, { accounts, secureCookies, routes });
  if (overrides.webApp !== false) await registerWebApp(server, overrides.webApp);

  let cleaner: AttachmentCleaner | null = null;
  const started: Module[] = [];
  return {
    store,
    bus,
    inbox,
    accounts,
    kb,
    uploads,
    hub,
    worker,
    chat,
    email,
    modules,
    routes,
    server,
    log,
    async start() {
      if (overrides.worker?.run !== false) worker.start();
      if (storage) cleaner = startAttachmentCleaner({ store, storage, onError: (message, error) => log.error(message, { err: error }) });
      // Mail received but not yet processed when the server last stopped is processed first.
      for (const module of modules) {
        await module.start?.();
        started.push(module);
      }
      return server.listen({ port: config.port, host: overrides.host ?? '0.0.0.0' });
    },
    async stop() {
      // Stop taking requests and let in-flight ones finish before the rest and the database go.
      await server.close();
      for (const module of started.reverse()) await module.stop?.();
      await cleaner?.stop();
      await worker.stop();
      if (base.ownsStore) await store.close();
    },
  };
}

/**
 * Customer satisfaction (issue 19): a resolve arms the survey's timer (the planner), the
 * timer asks (a command), email conversations get the link by mail (with SMTP_URL), and the
 * link's page, the team's list and manual send, and the portal's answer are its routes.
 */
function csatModule(parts: { inbox: InboxContext; config: AppConfig; channel: EmailChannel | null }): Module {
  const { inbox, config, channel } = parts;
  const smtpUrl = config.email?.smtpUrl ?? null;
  const settings: CsatSettings = {
    enabled: config.csat.enabled,
    delayMs: config.csat.delaySeconds * 1000,
    cooldownMs: config.csat.cooldownDays * 24 * 60 * 60 * 1000,
    expiryMs: CSAT_EXPIRY_MS,
    mail: channel !== null && smtpUrl !== null,
  };
  const mailer = channel && smtpUrl ? createCsatMailer({ inbox, channel, smtpUrl, publicUrl: config.publicUrl }) : null;
  const fire = async (payload: unknown) => {
    const due = parseCsatTimerPayload(payload);
    if (due) await requestSurvey(inbox, { ...due, settings });
  };
  return {
    name: 'csat',
    sideEffects: [csatPlanner(settings)],
    timerHandlers: { [CSAT_TIMER]: fire },
    jobHandlers: mailer ? { [CSAT_MAIL_JOB]: mailer.handler } : {},
    routes: [(app) => app.register(csatRoutes, { inbox, settings })],
    stop: mailer ? async () => mailer.close() : undefined,
  };
}

/** The chat widget's routes over the shared hub; the bot answers from the knowledge base (or an LLM). */
function chatModule(parts: {
  chat: ChatContext;
  settings: ChatSettings;
  hub: RealtimeHub;
  presence: PresenceRelay;
  teamOnline: () => Promise<boolean>;
  uploads?: UploadOptions;
  bundle?: string;
}): Module {
  const { chat, settings, hub, presence, teamOnline, uploads, bundle } = parts;
  return { name: 'chat', routes: [(app) => app.register(widgetRoutes, { chat, settings, hub, presence, teamOnline, attachments: uploads, bundle })] };
}

/** Assignment rules: their settings, and the drain that hands queued conversations out when someone has room. */
function assignmentModule(inbox: InboxContext): Module {
  return {
    name: 'assignment',
    timerHandlers: { [DRAIN_TIMER]: async () => void (await drainQueues(inbox)) },
    routes: [(app) => app.register(assignmentRoutes, { inbox })],
  };
}

/** Snooze: its routes, and the timer that wakes a snoozed conversation when its time comes. */
function snoozeModule(inbox: InboxContext): Module {
  return {
    name: 'snooze',
    timerHandlers: { [SNOOZE_TIMER]: (payload) => wakeSnoozed(inbox, payload) },
    routes: [(app) => app.register(snoozeRoutes, { inbox })],
  };
}

/** Spam: marking and restoring, the block list, and the timer that purges spam after 30 days. */
function spamModule(inbox: InboxContext, email: EmailChannel | null): Module {
  const purge = async (payload: unknown) => {
    const id = purgePayload(payload);
    if (id !== null) await purgeSpam(inbox, id);
  };
  // Our own support addresses are never blocked; without the email channel there are none.
  const ownAddresses = () => email?.support.addresses ?? [];
  return { name: 'spam', timerHandlers: { [SPAM_PURGE_TIMER]: purge }, routes: [(app) => app.register(spamRoutes, { inbox, ownAddresses })] };
}

/**
 * Bulk actions: the jobs' routes and the timer that runs a job. A job left running when the
 * app stopped (or died) is re-armed at start; a stopping app lets its jobs stop between two
 * conversations, to go on at the next start.
 */
function bulkModule(inbox: InboxContext, email: EmailChannel | null, log: Log): Module {
  let stopping = false;
  // As the spam routes: our own support addresses are never blocked.
  const ownAddresses = () => email?.support.addresses ?? [];
  return {
    name: 'bulk',
    timerHandlers: {
      [BULK_TIMER]: async (payload) => {
        const jobId = (payload as { jobId?: unknown } | null)?.jobId;
        if (typeof jobId === 'number') await runBulkJob(inbox, jobId, { stopping: () => stopping, ownAddresses, log: log.error });
      },
    },
    routes: [(app) => app.register(bulkRoutes, { inbox })],
    start: async () => {
      stopping = false;
      await resumeBulkJobs(inbox);
    },
    stop: async () => {
      stopping = true;
    },
  };
}

/**
 * The email channel: planners and senders (with SMTP_URL), the listener and poller, and the
 * failed-mail admin routes, which also answer without the channel (the list is in the database).
 */
function emailModule(parts: { config: EmailChannelConfig | null; channel: EmailChannel | null; inbox: InboxContext }): Module {
  const { config, channel, inbox } = parts;
  const reprocess = (id: number) => reprocessFailedMail(inbox.store, channel, id);
  return {
    name: 'email',
    sideEffects: config ? emailSideEffects(config) : [],
    jobHandlers: channel?.handlers ?? {},
    routes: [(app) => app.register(emailRoutes, { inbox, reprocess })],
    start: channel ? () => channel.start() : undefined,
    stop: channel ? () => channel.stop() : undefined,
  };
}

/**
 * Web Push (issue 18 "Desktop", the tab closed): the key and subscription routes, and the
 * job that sends a notification to a user's browsers. The VAPID keys are made (or read) at start.
 */
function pushModule(parts: { store: Store; config: AppConfig; email: EmailChannel | null; clock?: () => number }): Module {
  const { store, config, email, clock } = parts;
  const push = createPushChannel({
    store,
    allowHttp: config.push.allowHttp,
    supportAddresses: email?.support.addresses ?? config.email?.supportAddresses ?? [],
    publicUrl: config.publicUrl,
    clock,
  });
  return {
    name: 'push',
    jobHandlers: { [PUSH_JOB]: push.handler },
    routes: [(app) => app.register(pushRoutes, { push })],
    start: () => push.start(),
  };
}
