import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The simulator page's own web fonts, served from the @fontsource npm packages: Noto Sans (Latin and
 * Latin Extended, which holds ₱), Noto Color Emoji and Noto Sans Symbols 2 (☰, →). The page then looks the
 * same in any browser on any machine, whatever fonts the system has (a bare server or a bundled headless
 * Chromium has none with ₱ or emoji, and showed blanks). Each face carries a unicode-range, so a browser
 * downloads only the pieces a page actually uses.
 */
const STYLESHEETS: Array<{ sheet: string; format: 'woff2' | 'woff' }> = [
  ...['400', '600', '700'].flatMap((w) => [
    { sheet: `@fontsource/noto-sans/latin-${w}.css`, format: 'woff2' as const },
    { sheet: `@fontsource/noto-sans/latin-ext-${w}.css`, format: 'woff2' as const },
  ]),
  // woff, not woff2: the package's split woff2 files carry only an SVG glyph table (no COLR), which
  // Chromium does not draw, so every emoji came out blank; its woff files carry COLRv1 as well.
  { sheet: '@fontsource/noto-color-emoji/400.css', format: 'woff' },
  { sheet: '@fontsource/noto-sans-symbols-2/symbols-400.css', format: 'woff2' },
];
const URL_PREFIX = '/simulator/fonts/';
/** A fontsource face's sources: `url(./files/NAME.woff2) format('woff2'), url(./files/NAME.woff) format('woff')`. */
const SOURCES = /url\(\.\/files\/([\w.-]+\.woff2)\) format\('woff2'\), url\(\.\/files\/([\w.-]+\.woff)\) format\('woff'\)/g;
const CONTENT_TYPES = { woff2: 'font/woff2', woff: 'font/woff' };

export interface SimulatorFonts {
  css: string;
  /** font file name → absolute path and format, only the files the stylesheet names */
  files: Map<string, { path: string; format: 'woff2' | 'woff' }>;
}

/** Reads the packages' stylesheets once and points each face at one file on this server (every current browser reads both formats). */
export function loadSimulatorFonts(): SimulatorFonts {
  const require = createRequire(import.meta.url);
  const files: SimulatorFonts['files'] = new Map();
  const css = STYLESHEETS.map(({ sheet, format }) => {
    const path = require.resolve(sheet);
    return readFileSync(path, 'utf8').replace(SOURCES, (_all, woff2: string, woff: string) => {
      const name = format === 'woff2' ? woff2 : woff;
      files.set(name, { path: join(dirname(path), 'files', name), format });
      return `url(${URL_PREFIX}${name}) format('${format}')`;
    });
  }).join('\n');
  return { css, files };
}

export function registerFontRoutes(app: FastifyInstance, fonts: SimulatorFonts): void {
  app.get('/simulator/fonts.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(fonts.css),
  );
  app.get<{ Params: { name: string } }>(`${URL_PREFIX}:name`, async (req, reply) => {
    const file = fonts.files.get(req.params.name);
    if (!file) return reply.code(404).send({ error: `no simulator font named ${req.params.name}` });
    // file names carry the package's subset and weight; a new package version may change the bytes, so a day
    return reply.type(CONTENT_TYPES[file.format]).header('cache-control', 'public, max-age=86400').send(await readFile(file.path));
  });
}
