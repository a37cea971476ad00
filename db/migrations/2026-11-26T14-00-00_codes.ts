// Bundles, code batches, activation codes and partner API keys.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table bundles (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references partners(id) on delete cascade,
      name text not null check (length(name) between 1 and 80),
      staff_seats integer not null check (staff_seats between 0 and 1000),
      card_operations integer not null check (card_operations between 0 and 10000000),
      term_months integer not null check (term_months between 1 and 36),
      code_validity_days integer not null default 365 check (code_validity_days between 1 and 3650),
      resale_price_cents bigint check (resale_price_cents between 0 and 100000000000),
      status text not null default 'active' check (status in ('active', 'archived')),
      duplicated_from uuid references bundles(id) on delete set null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      archived_at timestamptz,
      check (staff_seats > 0 or card_operations > 0)
    );
    create index bundles_partner_idx on bundles (partner_id, created_at desc, id desc);

    create table code_batches (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references partners(id) on delete cascade,
      bundle_id uuid not null references bundles(id),
      code_count integer not null check (code_count between 1 and 1000000),
      generated_count integer not null default 0 check (generated_count between 0 and code_count),
      prefix text check (prefix ~ '^[A-Z0-9]{1,8}$'),
      expires_at timestamptz not null,
      label text check (length(label) <= 120),
      recipient text check (length(recipient) <= 200),
      status text not null default 'generating' check (status in ('generating', 'ready', 'failed')),
      failure_reason text,
      lease_expires_at timestamptz,
      created_by uuid references users(id) on delete set null,
      created_by_label text not null default '',
      created_at timestamptz not null default now(),
      completed_at timestamptz,
      check (status <> 'ready' or generated_count = code_count),
      unique (id, partner_id, bundle_id)
    );
    create index code_batches_partner_idx on code_batches (partner_id, created_at desc, id desc);
    create index code_batches_generating_idx on code_batches (lease_expires_at) where status = 'generating';

    create table activation_codes (
      id bigint generated always as identity primary key,
      code text not null,
      partner_id uuid not null,
      bundle_id uuid not null,
      batch_id uuid not null,
      status text not null default 'issued' check (status in ('issued', 'claimed', 'revoked')),
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      recipient_name text,
      recipient_email text,
      recipient_note text,
      handed_out_at timestamptz,
      locked_to_email boolean not null default false,
      emailed_at timestamptz,
      revoked_at timestamptz,
      revoke_reason text,
      constraint activation_codes_code_key unique (code),
      -- One key instead of three: a code belongs to its batch's partner and bundle, and one
      -- trigger per inserted row instead of three (a million-code batch is mostly this).
      foreign key (batch_id, partner_id, bundle_id)
        references code_batches (id, partner_id, bundle_id) on delete cascade,
      check (code ~ '^[0-9A-HJKMNP-TV-Z]{16}$'),
      check ((status = 'revoked') = (revoked_at is not null)),
      check (not locked_to_email or recipient_email is not null)
    );
    create index activation_codes_partner_idx on activation_codes (partner_id, id desc);
    create index activation_codes_batch_idx on activation_codes (batch_id, id);
    create index activation_codes_bundle_idx on activation_codes (partner_id, bundle_id, id desc);
    create index activation_codes_status_idx on activation_codes (partner_id, status, id desc);
    create index activation_codes_unclaimed_expiry_idx on activation_codes (partner_id, expires_at) where status = 'issued';
    create index activation_codes_handed_out_idx on activation_codes (partner_id, id desc)
      include (status, recipient_name, recipient_email) where handed_out_at is not null;

    create table api_keys (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid references partners(id) on delete cascade,
      scope text not null check (scope in ('partner', 'platform')),
      name text not null check (length(name) between 1 and 80),
      token_hash text not null unique,
      token_prefix text not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      check ((scope = 'partner') = (partner_id is not null))
    );
    create index api_keys_partner_idx on api_keys (partner_id, created_at desc) where partner_id is not null;

    create index audit_log_subject_idx on audit_log (subject_type, subject_id, id desc) where subject_id is not null;
  `,
  );
}

// PGlite runs one statement per query (extended protocol), so a script is sent statement by statement.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runStatements(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    drop index audit_log_subject_idx;
    drop table api_keys, activation_codes, code_batches, bundles;
  `,
  );
}
