import type { ZodApp } from './http/routing.js';
import type { SideEffectPlanner } from './inbox/context.js';
import type { JobHandler } from './jobs/outbox-worker.js';
import type { TimerHandler } from './jobs/timers.js';

// What a feature brings to the composition root (src/compose.ts): email and chat today;
// notifications, reports and importers join the same way. The root owns the shared parts
// (store, inbox, worker, hub, server) and wires each module's pieces into them.

/** Registers routes on the server the root builds; runs in order, at the server's top level. */
export type RouteMount = (app: ZodApp) => PromiseLike<unknown>;

export type Module = {
  name: string;
  /** Planned in the inbox commands' transactions (outbox jobs for this module's side effects). */
  sideEffects?: SideEffectPlanner[];
  /** Outbox job kinds this module runs. */
  jobHandlers?: Record<string, JobHandler>;
  /** Timer kinds this module fires (src/jobs/timers.ts). */
  timerHandlers?: Record<string, TimerHandler>;
  /** Its HTTP routes, mounted after authentication in the order the root lists modules. */
  routes?: RouteMount[];
  /** Before the server listens (an SMTP listener, a poller, recovering unfinished work). */
  start?(): Promise<void>;
  /** After the server has stopped taking requests, before the worker and the database go. */
  stop?(): Promise<void>;
};

/**
 * One logger for the whole process: the server's (pino, at LOG_LEVEL) in the app, silent in
 * tests unless they ask. `details` are structured fields; an `err` field is an error.
 */
export type Log = {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
};

type PinoLike = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

/** The Log view of a pino logger (Fastify's `server.log`). */
export function pinoLog(logger: PinoLike): Log {
  return {
    info: (message, details = {}) => logger.info(details, message),
    warn: (message, details = {}) => logger.warn(details, message),
    error: (message, details = {}) => logger.error(details, message),
  };
}
