// Foundation schema: people, organisations, plans, price list, tokens, rate limits, audit.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null unique check (email = lower(email) and email like '%_@_%'),
      name text not null default '',
      password_hash text,
      is_support boolean not null default false,
      locale text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      last_sign_in_at timestamptz
    );

    create table sessions (
      id text primary key,
      user_id uuid not null references users(id) on delete cascade,
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      ip text,
      user_agent text
    );
    create index sessions_user_id_idx on sessions (user_id);

    create table plans (
      id text primary key,
      name text not null,
      price_cents integer not null check (price_cents >= 0),
      billing_interval text not null check (billing_interval in ('none', 'month', 'year', 'custom')),
      card_operations_per_month integer check (card_operations_per_month >= 0),
      staff_seats integer check (staff_seats >= 0),
      per_location boolean not null default false,
      sort_order integer not null default 0,
      active boolean not null default true,
      updated_at timestamptz not null default now()
    );

    insert into plans (id, name, price_cents, billing_interval, card_operations_per_month, staff_seats, per_location, sort_order) values
      ('free', 'Card scanner (free)', 0, 'none', 100, 1, false, 1),
      ('monthly', 'Monthly', 2900, 'month', 2000, 1, true, 2),
      ('yearly', 'Yearly', 29000, 'year', 2000, 1, true, 3),
      ('custom', 'Custom / Enterprise', 0, 'custom', null, null, false, 4);

    create table price_list (
      id integer generated always as identity primary key,
      effective_from timestamptz not null unique,
      staff_seat_month_cents integer not null check (staff_seat_month_cents >= 0),
      card_operation_cents integer not null check (card_operation_cents >= 0),
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now()
    );
    insert into price_list (effective_from, staff_seat_month_cents, card_operation_cents)
      values ('2026-01-01T00:00:00Z', 2900, 5);

    create table partners (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 120),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,47}$'),
      type text not null check (type in ('marketing_agency', 'loyalty_consultant', 'restaurant_consultant', 'pos_vendor', 'other')),
      status text not null default 'active' check (status in ('active', 'suspended')),
      discount_bps integer not null default 3000 check (discount_bps between 0 and 10000),
      tax_rate_bps integer not null default 0 check (tax_rate_bps between 0 and 10000),
      statement_prefix text not null check (statement_prefix ~ '^[A-Z0-9]{2,10}$'),
      special_terms text not null default '',
      contact_name text not null default '',
      contact_email text not null default '',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table partner_members (
      partner_id uuid not null references partners(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      role text not null check (role in ('owner', 'member')),
      created_at timestamptz not null default now(),
      primary key (partner_id, user_id)
    );
    create index partner_members_user_id_idx on partner_members (user_id);

    create table businesses (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 120),
      plan_id text not null references plans(id),
      locations integer not null default 1 check (locations between 1 and 1000),
      billing_anchor_at timestamptz not null default now(),
      plan_started_at timestamptz not null default now(),
      custom_card_operations_per_month integer check (custom_card_operations_per_month >= 0),
      custom_staff_seats integer check (custom_staff_seats >= 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table business_members (
      business_id uuid not null references businesses(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      role text not null check (role in ('owner', 'staff')),
      created_at timestamptz not null default now(),
      primary key (business_id, user_id)
    );
    create index business_members_user_id_idx on business_members (user_id);

    create table password_reset_tokens (
      token_hash text primary key,
      user_id uuid not null references users(id) on delete cascade,
      purpose text not null check (purpose in ('reset', 'welcome')),
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index password_reset_tokens_user_id_idx on password_reset_tokens (user_id);

    create table invitations (
      token_hash text primary key,
      email text not null check (email = lower(email)),
      partner_id uuid references partners(id) on delete cascade,
      business_id uuid references businesses(id) on delete cascade,
      role text not null check (role in ('owner', 'member', 'staff')),
      invited_by uuid references users(id) on delete set null,
      expires_at timestamptz not null,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz not null default now(),
      check ((partner_id is null) <> (business_id is null))
    );
    create index invitations_partner_id_idx on invitations (partner_id) where partner_id is not null;
    create index invitations_business_id_idx on invitations (business_id) where business_id is not null;

    create table rate_limit_counters (
      key text not null,
      window_start timestamptz not null,
      hits integer not null default 0,
      primary key (key, window_start)
    );
    create index rate_limit_counters_window_start_idx on rate_limit_counters (window_start);

    create table audit_log (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null default now(),
      actor_user_id uuid references users(id) on delete set null,
      actor_label text not null default '',
      partner_id uuid references partners(id) on delete set null,
      business_id uuid references businesses(id) on delete set null,
      action text not null,
      subject_type text,
      subject_id text,
      before jsonb,
      after jsonb,
      ip text
    );
    create index audit_log_partner_idx on audit_log (partner_id, id desc) where partner_id is not null;
    create index audit_log_business_idx on audit_log (business_id, id desc) where business_id is not null;
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
    drop table audit_log, rate_limit_counters, invitations, password_reset_tokens,
      business_members, businesses, partner_members, partners, price_list, plans,
      sessions, users;
  `,
  );
}
