/**
 * The adapters share their test helpers (an Auth on memory storage, a server on a loopback
 * port, sign-in over HTTP, cookies): they test the same contract through two frameworks.
 */
export type { SignedIn } from '../../express/test/helpers.js';
export {
  APP_ORIGIN,
  BASE,
  CSRF_COOKIE,
  call,
  chunkedBody,
  cookiesOf,
  EMAIL,
  listen,
  makeAuth,
  PASSWORD,
  postJson,
  SESSION_COOKIE,
  signIn,
} from '../../express/test/helpers.js';
