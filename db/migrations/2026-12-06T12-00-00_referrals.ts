// The referral program (issue 15): accounts connected by support (a business's or a partner's
// personal link and its reward rule), visits of the link (an IP hash, never the address), one
// referral per referred business (qualified once: a conditional update, and the rule copied
// onto it when it qualifies), the rewards given for it (one per beneficiary, the unique key
// decides) and the single-row settings. Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    create table referral_accounts (
      id uuid primary key default gen_random_uuid(),
      business_id uuid unique references businesses(id) on delete cascade,
      partner_id uuid unique references partners(id) on delete cascade,
      slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$'),
      status text not null default 'connected'
        check (status in ('connected', 'paused', 'disconnected')),
      referred_operations integer not null default 200
        check (referred_operations between 0 and 1000000),
      referrer_operations integer not null default 500
        check (referrer_operations between 0 and 1000000),
      referrer_credit_cents bigint not null default 0
        check (referrer_credit_cents between 0 and 10000000),
      bonus_months integer not null default 12 check (bonus_months between 1 and 36),
      rule_version integer not null default 1 check (rule_version >= 1),
      connected_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint referral_accounts_one_owner check ((business_id is null) <> (partner_id is null))
    );
    create table referral_visits (
      id bigint generated always as identity primary key,
      -- Null: a visit of an unknown, paused or disconnected slug, kept all the same so that
      -- every visit costs one insert and the answer's timing does not tell them apart.
      account_id uuid references referral_accounts(id) on delete cascade,
      token uuid not null unique,
      visited_at timestamptz(3) not null,
      ip_hash text not null,
      user_agent_class text not null
        check (user_agent_class in ('desktop', 'mobile', 'tablet', 'bot', 'other')),
      landing_page text not null check (length(landing_page) <= 500)
    );
    create index referral_visits_account_idx on referral_visits (account_id, visited_at);
    create table referrals (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references referral_accounts(id) on delete cascade,
      referred_business_id uuid not null unique references businesses(id) on delete cascade,
      visit_id bigint references referral_visits(id) on delete set null,
      attributed_at timestamptz(3) not null,
      signup_ip_hash text,
      qualified_at timestamptz(3),
      qualified_by text check (qualified_by in ('code_claim', 'paid_plan')),
      qualifying_activation_code_id bigint references activation_codes(id),
      status text not null default 'pending'
        check (status in ('pending', 'approved', 'rejected', 'flagged')),
      flags text[] not null default '{}',
      reason text check (length(reason) <= 500),
      rule_version integer,
      referred_operations integer,
      referrer_operations integer,
      referrer_credit_cents bigint,
      bonus_months integer,
      reward_value_cents bigint,
      decided_at timestamptz(3),
      decided_by uuid references users(id) on delete set null,
      decided_by_label text,
      rewarded_at timestamptz(3),
      clawed_back_at timestamptz(3),
      constraint referrals_qualified_check check ((qualified_at is null) = (qualified_by is null)),
      constraint referrals_rule_check check (qualified_at is null or rule_version is not null)
    );
    create index referrals_account_idx on referrals (account_id, attributed_at desc, id);
    create index referrals_queue_idx on referrals (qualified_at, id) where status in ('pending', 'flagged') and qualified_at is not null;
    create table referral_rewards (
      id uuid primary key default gen_random_uuid(),
      referral_id uuid not null references referrals(id) on delete cascade,
      beneficiary text not null check (beneficiary in ('referred', 'referrer')),
      business_id uuid references businesses(id) on delete cascade,
      partner_id uuid references partners(id) on delete cascade,
      grant_id uuid references grants(id) on delete set null,
      card_operations integer not null default 0 check (card_operations >= 0),
      credit_cents bigint not null default 0 check (credit_cents >= 0),
      granted_at timestamptz(3) not null,
      clawed_back_at timestamptz(3),
      card_operations_used_at_clawback integer,
      unique (referral_id, beneficiary),
      constraint referral_rewards_one_owner check ((business_id is null) <> (partner_id is null))
    );
    create table referral_settings (
      id boolean primary key default true check (id),
      auto_approve_max_cents bigint not null default 5000 check (auto_approve_max_cents >= 0),
      updated_at timestamptz(3) not null default now()
    );
    insert into referral_settings (id) values (true)
`;

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
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, up_);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `drop table referral_settings, referral_rewards, referrals, referral_visits, referral_accounts`,
  );
}
