// Message catalogues, bundled. English is complete; other languages add a folder here.
import auth from "./en/auth";
import business from "./en/business";
import common from "./en/common";
import email from "./en/email";
import partner from "./en/partner";
import support from "./en/support";

const en = { common, auth, partner, business, support, email };

export const resources = { en };
export const namespaces = Object.keys(en) as (keyof typeof en)[];
