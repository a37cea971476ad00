// A hot query compiled once per process (issue 18, ADR 043): Kysely builds a query's operation
// tree and compiles it to SQL on every call, which on the API's hot path (the key check, the
// business lock, a claim's read) was about a fifth of the server's JavaScript CPU. Here the
// query is built and compiled once, with a placeholder where each argument goes, and each call
// only puts its arguments in those places: the same SQL text, the same parameters, the same
// rows, through the same connection or transaction.
//
// The placeholders only work where an argument is used as a value (a parameter). An argument
// the builder computes with, tests (`if (args.x)`), writes as a literal or spreads into an IN
// list cannot be one: compute such things before the call and pass the result, or write the
// list as `= any(${ids}::uuid[])`. Any of these is refused when the query is first compiled
// (a placeholder that is not a parameter, or one turned into a string), never silently wrong.
import { CompiledQuery, type Compilable, type RawBuilder } from "kysely";
import type { Database } from "./index.ts";

/** Where an argument goes in a query compiled once. */
class Placeholder {
  constructor(readonly name: string) {}
  [Symbol.toPrimitive](): never {
    throw new Error(
      `compiledOnce: the argument "${this.name}" was turned into a string or number while building the query; compute it before the call and pass the result`,
    );
  }
  toJSON(): never {
    return this[Symbol.toPrimitive]();
  }
}

interface Compiled {
  sql: string;
  /** Each parameter: a fixed value, or the name of the argument that goes there. */
  parameters: readonly ({ fixed: unknown } | { argument: string })[];
}

/**
 * `build(db, args)` made into a function that runs the query with the caller's `args`,
 * compiling it only on the first call. Both backends use PostgreSQL's compiler, so one
 * compilation serves the pool and PGlite alike.
 */
export function compiledOnce<Args extends Record<string, unknown>, Row>(
  build: (db: Database, args: Args) => Built<Row>,
): (db: Database, args: Args) => Promise<Row[]> {
  let compiled: Compiled | undefined;
  return async (db, args) => {
    compiled ??= compile(db, build);
    const parameters = compiled.parameters.map((p) =>
      "fixed" in p ? p.fixed : argumentOf(args, p.argument),
    );
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}

function argumentOf(args: Record<string, unknown>, name: string): unknown {
  if (!Object.hasOwn(args, name))
    throw new Error(`compiledOnce: the argument "${name}" is missing`);
  return args[name];
}

/** A query builder's query, or a `sql` template's. */
type Built<Row> = Compilable<Row> | RawBuilder<Row>;

function isRaw<Row>(built: Built<Row>): built is RawBuilder<Row> {
  return "isRawBuilder" in built && built.isRawBuilder;
}

function compile<Args extends Record<string, unknown>, Row>(
  db: Database,
  build: (db: Database, args: Args) => Built<Row>,
): Compiled {
  const used = new Set<string>();
  const placeholders = new Proxy(
    {},
    {
      get(_, name) {
        if (typeof name !== "string") return undefined;
        used.add(name);
        return new Placeholder(name);
      },
    },
  ) as Args;
  let query: CompiledQuery<Row>;
  try {
    const built = build(db, placeholders);
    query = isRaw(built) ? built.compile(db) : built.compile();
  } catch (error) {
    throw new Error(
      `compiledOnce: building the query failed; an argument used as other than a value? (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const { sql, parameters } = query;
  const placed = new Set<string>();
  const compiled: Compiled = {
    sql,
    parameters: parameters.map((p) => {
      if (!(p instanceof Placeholder)) return { fixed: p };
      placed.add(p.name);
      return { argument: p.name };
    }),
  };
  for (const name of used) {
    if (!placed.has(name)) {
      throw new Error(
        `compiledOnce: the argument "${name}" was read while building the query but is not one of its parameters; compute with it before the call, or pass it as a value`,
      );
    }
  }
  return compiled;
}
