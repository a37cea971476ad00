// What a route's `headers` export answers with. Remix builds a response's headers from the
// deepest route's `headers` export only (cookies aside): a Retry-After that an action or a
// loader put on its `data()` is dropped unless the route passes it on.
import type { HeadersFunction } from "@remix-run/node";

/** Headers a route's own loader or action may set and the response must keep. */
const PASSED_ON = ["Retry-After"] as const;

function passedOn(...sources: (Headers | undefined)[]): Headers {
  const headers = new Headers();
  for (const source of sources) {
    for (const name of PASSED_ON) {
      const value = source?.get(name);
      if (value) headers.set(name, value);
    }
  }
  return headers;
}

/** For routes that may answer 429: the loader's or action's Retry-After reaches the client. */
export const passOnRetryAfter: HeadersFunction = ({ loaderHeaders, actionHeaders, errorHeaders }) =>
  passedOn(loaderHeaders, actionHeaders, errorHeaders);

/**
 * For pages that show activation codes (bearer secrets): never stored by the browser or a
 * proxy, like the API, the downloads and the API-keys page. Retry-After passes on too.
 */
export const secretPageHeaders: HeadersFunction = (args) => {
  const headers = passOnRetryAfter(args) as Headers;
  headers.set("Cache-Control", "no-store");
  return headers;
};
