import { createServer } from 'node:http';
import { describeHttpContract, type StartServer } from '@portcullis/core/testing';
import express, { type Express } from 'express';
import { portcullis } from '../src/index.js';
import { listen } from './helpers.js';

/** Serves `portcullis(auth)` at the base path, after whatever `before` mounts. */
function start(before: (app: Express) => void): StartServer {
  return (auth) => {
    const app = express();
    before(app);
    app.use(auth.options.http.basePath, portcullis(auth));
    return listen(createServer(app));
  };
}

// Mounted first, the router reads raw bodies: the whole contract, 400/413/415 included.
describeHttpContract(
  'express',
  start(() => {}),
);

// Behind body parsers it takes the parsed `req.body`; malformed JSON is then the parser's.
describeHttpContract(
  'express behind express.json() and express.urlencoded()',
  start((app) => app.use(express.json(), express.urlencoded())),
  { rawBody: false },
);
