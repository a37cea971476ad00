// Message catalogues, bundled. English is the source and the types; Thai and Ukrainian
// translate every key of it (app/locales/catalogues.test.ts names what is missing), each
// folder following its glossary (docs/i18n/glossary.th.md, glossary.uk.md).
import * as enCatalogue from "./en";
import * as thCatalogue from "./th";
import * as ukCatalogue from "./uk";

// Plain objects, not the modules' namespace objects, which i18next could not add to.
const en = { ...enCatalogue };
export const resources = { en, th: { ...thCatalogue }, uk: { ...ukCatalogue } };

/** Every namespace, "common" (the default) first, the one list of them: checked against `en`. */
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

// A namespace `en` has that the list leaves out fails here.
const everyNamespaceListed: [Exclude<keyof typeof en, (typeof namespaces)[number]>] extends [never]
  ? true
  : never = true;
void everyNamespaceListed;
