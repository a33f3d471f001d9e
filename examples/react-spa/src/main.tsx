import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { restoreSession } from './auth.js';
import './styles.css';

// Once per page load, outside React (StrictMode runs effects twice in development): the
// access token is in memory only, so a reload gets a new one from the HttpOnly refresh cookie.
void restoreSession();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
