// How big a request may be: the one place for these numbers. The HTTP layer (server/http.ts)
// enforces them before any route reads a body; the API's JSON reader checks the same cap.

/** A page's form (url-encoded): the largest real one (a bundle, a hand-out) is a few kB. */
export const MAX_FORM_BODY_BYTES = 1024 * 1024;
/** A JSON body of /api/v1: 1,000 card operations in one batch fit with room to spare. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** How deep a JSON body may nest: the API's deepest request is three levels. */
export const MAX_JSON_DEPTH = 32;
/** The longest path-and-query the portal reads (a filtered codes list is well under). */
export const MAX_REDIRECT_TARGET_LENGTH = 2000;
