// Fixes from the walkthrough (issue 11). Audit subjects get one vocabulary: claims and
// roll-backs were recorded as "code" while everything else (and the code page) says
// "activation_code"; the demo seed's actors all become the one system actor.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    update audit_log set subject_type = 'activation_code' where subject_type = 'code';
    update audit_log set subject_type = null, subject_id = null where subject_type = 'database';
    update audit_log set actor_label = 'system'
     where actor_user_id is null and actor_label in ('seed', 'demo seed')
    `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runStatements(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

// The renamed rows cannot be told apart from ones recorded under the new names: nothing to undo.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(_db: Kysely<any>): Promise<void> {}
