// Message catalogues, bundled. English is the source and the types; Thai and Ukrainian
// translate every key of it (app/locales/catalogues.test.ts names what is missing), each
// folder following its glossary (docs/i18n/glossary.th.md, glossary.uk.md).
import auth from "./en/auth";
import apiKeys from "./en/api-keys";
import batches from "./en/batches";
import bundles from "./en/bundles";
import cards from "./en/cards";
import business from "./en/business";
import clients from "./en/clients";
import codes from "./en/codes";
import common from "./en/common";
import email from "./en/email";
import partner from "./en/partner";
import redeem from "./en/redeem";
import referrals from "./en/referrals";
import staff from "./en/staff";
import statements from "./en/statements";
import support from "./en/support";
import webhooks from "./en/webhooks";
import th from "./th";
import uk from "./uk";
import subscription from "./en/subscription";
import invoices from "./en/invoices";

const en = {
  common,
  auth,
  partner,
  bundles,
  batches,
  codes,
  clients,
  statements,
  cards,
  apiKeys,
  business,
  staff,
  redeem,
  referrals,
  support,
  email,
  webhooks,
  subscription,
  invoices,
};

export const resources = { en, th, uk };
/** Every namespace, "common" (the default) first; the type is checked against `en`. */
export const namespaces = [
  "common",
  "auth",
  "partner",
  "bundles",
  "batches",
  "codes",
  "clients",
  "statements",
  "cards",
  "apiKeys",
  "business",
  "staff",
  "redeem",
  "referrals",
  "support",
  "email",
  "webhooks",
  "subscription",
  "invoices",
] as const satisfies readonly (keyof typeof en)[];
