// CSV written by PostgreSQL itself (`COPY (select …) TO STDOUT`): the SQL twins of csvCell and
// csvLine in ./csv, and the stream that sends a COPY's rows as the download's body. Used only
// on PostgreSQL outside a transaction (see copyPool); PGlite keeps the keyset path in ./csv.
import { Readable, Transform, pipeline } from "node:stream";
import { sql, type Expression, type RawBuilder, type Compilable, type CompiledQuery } from "kysely";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { csvLine, type CsvValue } from "./csv";

/**
 * A text cell exactly as csvCell writes a string: '' for null; a leading = + - @ tab or CR
 * gets a '; then quoted (quotes doubled) when it holds a quote, comma, CR or LF (the ' adds
 * none of those, so the value itself decides). LIKE and left() rather than regular
 * expressions: measured 3× cheaper per cell, and a million-row export has ten cells a row.
 * `value` is written several times: pass a column, not an expression worth computing once.
 */
export function csvTextSql(
  value: Expression<string | null> | RawBuilder<unknown>,
): RawBuilder<string> {
  const guard = sql`left(${value}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r')`;
  const quoted = sql`(${value} like '%"%' or ${value} like '%,%' or ${value} like E'%\\n%' or ${value} like E'%\\r%')`;
  return sql<string>`(case when ${value} is null then ''
    when ${quoted} then '"' || (case when ${guard} then '''' else '' end) || replace(${value}, '"', '""') || '"'
    when ${guard} then '''' || ${value}
    else ${value} end)`;
}

/** A number cell as csvCell writes it (String(n)): never quoted, never guarded. */
export function csvNumberSql(
  value: Expression<number | null> | RawBuilder<unknown>,
): RawBuilder<string> {
  return sql<string>`coalesce((${value})::text, '')`;
}

/** A boolean cell as csvCell writes it (String(b)): true / false, '' for null. */
export function csvBooleanSql(
  value: Expression<boolean | null> | RawBuilder<unknown>,
): RawBuilder<string> {
  return sql<string>`(case when (${value}) then 'true' when not (${value}) then 'false' else '' end)`;
}

/** A timestamptz as Date#toISOString writes it (UTC, milliseconds truncated, Z), '' for null. */
export function csvTimeSql(
  value: Expression<Date | null> | RawBuilder<unknown>,
): RawBuilder<string> {
  return sql<string>`coalesce(to_char((${value}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`;
}

/** The cells joined by commas and ended by CRLF, as csvLine does. */
export function csvLineSql(cells: RawBuilder<string>[]): RawBuilder<string> {
  return sql<string>`(${sql.join(cells, sql` || ',' || `)} || E'\\r\\n')`;
}

/**
 * A compiled Kysely query as plain SQL text: each $n replaced by its value as a literal
 * (pg's escapeLiteral for text, so typed input can never end the literal). COPY takes no
 * parameters.
 */
export function inlineParameters(query: Compilable | CompiledQuery): string {
  const { sql: text, parameters } = "compile" in query ? query.compile() : query;
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = parameters[Number(n) - 1];
    if (value === null || value === undefined) return "null";
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error("a COPY parameter must be a finite number");
      return String(value);
    }
    if (typeof value === "boolean") return value ? "true" : "false";
    if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
    if (typeof value === "string") return pg.escapeLiteral(value);
    throw new Error(`a COPY parameter of type ${typeof value} cannot be inlined`);
  });
}

/**
 * Strips COPY's binary framing from a one-text-column result: the signature and header, each
 * row's field count and length, the trailer. What is left is the column's bytes, row after
 * row — the CSV lines the query wrote.
 */
function binaryCopyRows(): Transform {
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      let at = 0;
      if (!headerRead) {
        if (pending.length < 19) return done();
        const extension = pending.readInt32BE(15);
        if (pending.length < 19 + extension) return done();
        at = 19 + extension;
        headerRead = true;
      }
      for (;;) {
        if (pending.length - at < 2) break;
        const fields = pending.readInt16BE(at);
        if (fields === -1) {
          at = pending.length;
          break;
        }
        if (pending.length - at < 6) break;
        const length = pending.readInt32BE(at + 2);
        if (length < 0) {
          at += 6;
          continue;
        }
        if (pending.length - at < 6 + length) break;
        out.push(pending.subarray(at + 6, at + 6 + length));
        at += 6 + length;
      }
      pending = pending.subarray(at);
      if (out.length > 0) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
      done();
    },
  });
}

/**
 * The CSV download written by PostgreSQL: the header line (after a BOM when asked), then
 * `COPY (query) TO STDOUT` streamed as it arrives, with backpressure; one pooled connection
 * held until the file ends or the consumer goes away. `query` selects one text column, the
 * whole CSV line (csvLineSql); it is built when the body is first read (null: no rows). A
 * RawBuilder is passed compiled (`raw.compile(db)`).
 */
export function copyCsvStream({
  pool,
  header,
  bom = false,
  query,
}: {
  pool: pg.Pool;
  header: CsvValue[];
  bom?: boolean;
  query: () => Promise<Compilable | CompiledQuery | null>;
}): ReadableStream<Uint8Array> {
  const headerBytes = Buffer.from(`${bom ? "\uFEFF" : ""}${csvLine(header)}`, "utf8");
  async function* body(): AsyncGenerator<Buffer> {
    yield headerBytes;
    const compiled = await query();
    if (compiled === null) return;
    const copySql = `COPY (${inlineParameters(compiled)}) TO STDOUT (FORMAT binary)`;
    const client = await pool.connect();
    let finished = false;
    try {
      const rows = pipeline(client.query(copyTo(copySql)), binaryCopyRows(), () => {});
      for await (const chunk of rows as AsyncIterable<Buffer>) yield chunk;
      finished = true;
    } finally {
      // A connection left mid-COPY (an error, or the consumer went away) is closed rather
      // than given back to the pool.
      client.release(finished ? undefined : true);
    }
  }
  return Readable.toWeb(Readable.from(body(), { objectMode: false })) as ReadableStream<Uint8Array>;
}
