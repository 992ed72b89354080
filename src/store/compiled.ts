import type { Compilable, CompiledQuery } from 'kysely';
import type { Tx } from './transaction.js';

// Kysely builds, freezes and compiles every statement anew on each call: about 17 µs, as
// much as SQLite's own work for a small insert (measured on an import: a quarter of its
// time). The statements a command runs for every message are compiled once per shape
// here and then run with new parameters; the SQL is Kysely's own, from the same builder.
//
// How: the builder is given a placeholder object for each value; after compiling, the
// parameter list says which placeholder went where. A placeholder is a parameter like any
// value (Kysely binds values it does not know as they are), so the SQL is exactly what the
// real values would have produced — as long as the builder only passes them on, which is
// what these inserts do. Undefined values are left out, as Kysely leaves them out.

const SLOT = Symbol('compiled-slot');
type Slot = { readonly [SLOT]: [row: number, column: string] };

type Shape = { query: CompiledQuery; fill: (readonly [number, string] | { constant: unknown })[] };

const CAPACITY = 200;

/** Per dialect adapter (every Kysely of one store shares it): SQLite's SQL is not PostgreSQL's. */
const shapes = new WeakMap<object, Map<string, Shape>>();

const isSlot = (value: unknown): value is Slot => typeof value === 'object' && value !== null && SLOT in value;

/**
 * Runs `build(rows)` — an insert of these rows, say — compiled once for this `name` and
 * these rows' columns. `build` receives placeholders shaped like `rows` and must use them
 * only as values.
 */
export async function runCompiled<O, R extends Record<string, unknown>>(
  tx: Tx,
  name: string,
  rows: readonly R[],
  build: (rows: R[]) => Compilable<O>,
): Promise<O[]> {
  const present = rows.map((row) => Object.keys(row).filter((column) => row[column] !== undefined));
  const key = `${name}\0${present.map((columns) => columns.join()).join('\0')}`;
  const adapter = tx.getExecutor().adapter;
  let byKey = shapes.get(adapter);
  if (!byKey) {
    byKey = new Map();
    shapes.set(adapter, byKey);
  }
  let shape = byKey.get(key);
  if (!shape) {
    const slots = present.map((columns, row) => Object.fromEntries(columns.map((column) => [column, { [SLOT]: [row, column] } satisfies Slot])) as R);
    const query = build(slots).compile();
    shape = { query, fill: query.parameters.map((p) => (isSlot(p) ? p[SLOT] : { constant: p })) };
    // Bounded like the SQLite statement cache (database.ts): a statement of many rows has a shape per count.
    if (byKey.size >= CAPACITY) byKey.delete(byKey.keys().next().value!);
    byKey.set(key, shape);
  }
  const parameters = shape.fill.map((f) => ('constant' in f ? f.constant : rows[f[0]]![f[1]]));
  const result = await tx.executeQuery<O>({ ...shape.query, parameters });
  return result.rows;
}
