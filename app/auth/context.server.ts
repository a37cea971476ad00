// What every loader and action gets from the HTTP layer.
export interface RequestContext {
  cspNonce: string;
  clientIp: string | null;
  /** Adds a Set-Cookie to whatever response this request ends with (session renewal). */
  appendSetCookie: (cookie: string) => void;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}
