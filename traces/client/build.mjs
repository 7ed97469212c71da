// Part of `npm run build`: copies the viewer's page script and styles next to
// the compiled viewer (dist/traces/client/), which inlines them into each page.
import { copyFileSync, mkdirSync } from 'node:fs';

const to = new URL('../../dist/traces/client/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of ['viewer.js', 'viewer.css']) copyFileSync(new URL(name, import.meta.url), new URL(name, to));
