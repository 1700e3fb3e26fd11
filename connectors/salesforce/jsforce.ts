/**
 * The one place jsforce is imported. jsforce reads `https_proxy`/`http_proxy`/`HTTPS_PROXY`/
 * `HTTP_PROXY` once at import time into its global request defaults and ignores `NO_PROXY`, so
 * loopback calls (the emulator) would be sent to a proxy. We reset those defaults to "no proxy"
 * (keeping jsforce's own timeout and redirect defaults); a connection that needs a proxy passes
 * it explicitly (`httpProxy`), which jsforce applies per connection and to its OAuth2 client.
 */
import jsforce from 'jsforce';
import { setDefaults } from 'jsforce/lib/request.js';

setDefaults({
  timeout: process.env.HTTP_TIMEOUT ? parseInt(process.env.HTTP_TIMEOUT, 10) : undefined,
  followRedirect: true,
});

export const { Connection } = jsforce;
export type { Connection as JsforceConnection } from 'jsforce';
