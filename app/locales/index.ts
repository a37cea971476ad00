// Message catalogues, bundled. English is complete; other languages add a folder here.
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
import staff from "./en/staff";
import statements from "./en/statements";
import support from "./en/support";
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
  support,
  email,
  subscription,
  invoices,
};

export const resources = { en };
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
  "support",
  "email",
  "subscription",
  "invoices",
] as const satisfies readonly (keyof typeof en)[];
