// Languages of their own for batches and businesses (issue 17, ADR 035, 2026-12-07):
// - code_batches.locale: the language the batch's code cards print in, chosen when generating
//   (the domain defaults it to the partner's locale). Batches made before take their
//   partner's locale, which is what their cards would have been set in had it been chosen.
// - businesses.locale: the business's language (the organisation locale of ADR 035 on its
//   pages and in emails to its members without a preference of their own); null = none
//   chosen, so the browser decides.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const TAG = `'^[a-z]{2,3}(-[A-Z]{2})?$'`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table code_batches add column locale text`).execute(db);
  await sql
    .raw(`update code_batches cb set locale = p.locale from partners p where p.id = cb.partner_id`)
    .execute(db);
  // The default only for rows written by code that does not name a locale (the partners'
  // default); the domain always names one.
  await sql
    .raw(
      `alter table code_batches alter column locale set default 'en-IE',
        alter column locale set not null,
        add constraint code_batches_locale_check check (locale ~ ${TAG})`,
    )
    .execute(db);
  await sql
    .raw(`alter table businesses add column locale text check (locale ~ ${TAG})`)
    .execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table businesses drop column locale`).execute(db);
  await sql.raw(`alter table code_batches drop column locale`).execute(db);
}
