import { notFound } from '../../errors.js';
import { findMacro, listMacros } from '../../store/macros.js';
import { type Macro, toMacro } from '../commands/macros.js';
import type { InboxContext } from '../context.js';
import { canUseMacro, type Viewer } from '../policies.js';

/** The macros the user may run: their own and the team's shared ones, by name. */
export async function listMacrosFor(ctx: InboxContext, userId: number): Promise<Macro[]> {
  return (await listMacros(ctx.store.db, userId)).map(toMacro);
}

/** The macro, if the viewer may run it; not_found otherwise (another's personal macro included). */
export async function getMacro(ctx: InboxContext, viewer: Viewer, id: number): Promise<Macro> {
  const macro = await findMacro(ctx.store.db, id);
  if (!macro || !canUseMacro(viewer, macro)) throw notFound('macro');
  return toMacro(macro);
}
