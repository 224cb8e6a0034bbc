import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';

/**
 * The Chromium shipped inside the `@sparticuz/chromium` npm package (a brotli-compressed headless shell),
 * unpacked once per package version into `$TMPDIR/quicksell-chromium-<version>/`, so `npm install` is all
 * a machine needs. We do not call the package's own `executablePath()`: it unpacks to the unversioned
 * `$TMPDIR/chromium` (a stale copy survives an upgrade), sets up libraries and fonts only on AWS Lambda,
 * and its recommended `args` include `--single-process` (the browser dies when a page closes).
 *
 * What a bare Debian lacks and the package carries in `al2023.tar.br` (libnss3, libnssutil3, libnspr4,
 * libexpat) is unpacked into `lib/` and put on the browser's LD_LIBRARY_PATH; the binary reads fonts only
 * through fontconfig, so a `fonts.conf` naming just the bundled fonts is written and FONTCONFIG_PATH points
 * at it. The pages under test bring their own web fonts, so screenshots look the same on every machine.
 */
export interface BundledChromium {
  executablePath: string;
  /** Environment the browser process needs on top of the test process's own. */
  env: Record<string, string>;
}

const require = createRequire(import.meta.url);

export async function bundledChromium(): Promise<BundledChromium> {
  const binDir = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'bin');
  const { version } = JSON.parse(readFileSync(join(binDir, '..', 'package.json'), 'utf8')) as { version: string };
  const dir = join(tmpdir(), `quicksell-chromium-${version}`);
  if (!existsSync(join(dir, COMPLETE))) await unpack(binDir, dir, version);
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
  };
}

/** Written last, before the directory is renamed into place: its presence means a complete unpack. */
const COMPLETE = '.complete';

/**
 * Unpacks into a private directory and renames it into place, so two test files starting at once (vitest
 * runs them in parallel processes) never see each other's half-written files; the loser's copy is dropped.
 */
async function unpack(binDir: string, dir: string, version: string): Promise<void> {
  const work = `${dir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(work, { recursive: true });
  try {
    await pipeline(
      createReadStream(join(binDir, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(work, 'chromium'), { mode: 0o755 }),
    );
    await untarBrotli(join(binDir, 'al2023.tar.br'), work); // lib/libnss3.so, lib/libnspr4.so, lib/libexpat.so.1, ...
    await untarBrotli(join(binDir, 'fonts.tar.br'), work); // fonts/Open_Sans/*.ttf (and a Lambda fonts.conf we replace)
    await writeFile(
      join(work, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(join(work, COMPLETE), `${version}\n`);
    await rename(work, dir); // fails if another test process's copy is already in place
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    if (existsSync(join(dir, COMPLETE))) return; // another test process finished first
    throw err;
  }
}

/** Unpacks a small brotli-compressed tarball into `dest` with the system's `tar` (present on every Debian). */
async function untarBrotli(file: string, dest: string): Promise<void> {
  const tarball = join(dest, 'unpacking.tar');
  await writeFile(tarball, brotliDecompressSync(await readFile(file)));
  await new Promise<void>((resolve, reject) => {
    execFile('tar', ['-x', '-f', tarball, '-C', dest], (err, _stdout, stderr) =>
      err ? reject(new Error(`tar -x ${file} failed: ${stderr.trim() || err.message}`)) : resolve(),
    );
  });
  await rm(tarball);
}
