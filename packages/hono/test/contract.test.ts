import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { describeHttpContract } from '@portcullis/core/testing';
import { Hono } from 'hono';
import { portcullis } from '../src/index.js';
import { listen } from './helpers.js';

// The whole contract through app.route on @hono/node-server, over real HTTP.
describeHttpContract('hono', (auth) => {
  const app = new Hono();
  app.route(auth.options.http.basePath, portcullis(auth));
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
});
