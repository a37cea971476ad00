// What an /api/v1 handler reads and answers, without the Web Request and Response Remix uses
// (ADR 042): the HTTP layer hands the router Node's request as an ApiRequest and writes a JSON
// answer straight to the socket; tests and the Remix-less callers go through a Web Request
// (`fromWebRequest` in json.server.ts) and read a Response (`toResponse`). Both are the same router and handlers.
export interface ApiRequest {
  /** Upper case, as sent. */
  readonly method: string;
  readonly pathname: string;
  /** The query string's parameters. */
  readonly searchParams: URLSearchParams;
  /** A request header (case-insensitive name), or null. */
  header(name: string): string | null;
  /** The body as UTF-8 text, at most `maxBytes` (a larger one is refused with a 400). */
  bodyText(maxBytes: number): Promise<string>;
  /** Aborted when the client goes away (a long render stops). */
  readonly signal: AbortSignal;
}

/** A JSON answer made whole: the router writes it in one go. */
export interface ApiReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a handler answers: JSON, or a Response for what streams (a PDF). */
export type ApiAnswer = ApiReply | Response;

export function isReply(answer: ApiAnswer): answer is ApiReply {
  return !(answer instanceof Response);
}

/** A JSON answer, never cached. */
export function jsonReply(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
  contentType = "application/json; charset=utf-8",
): ApiReply {
  return {
    status,
    headers: { ...headers, "Content-Type": contentType, "Cache-Control": "no-store" },
    body: JSON.stringify(body),
  };
}

export function toResponse(answer: ApiAnswer): Response {
  if (!isReply(answer)) return answer;
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
