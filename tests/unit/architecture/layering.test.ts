import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of src/, checked on the import statements themselves (type-only imports count:
 * a type cycle still ties two modules together). See docs/architecture.md.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = join(ROOT, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Module specifiers of one file: relative ones resolved to src-relative paths ('orders/index.ts'), packages as they are. */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    out.push(spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts') : spec);
  }
  return out;
}

type Graph = Map<string, string[]>;

function buildGraph(): Graph {
  const g: Graph = new Map();
  for (const f of tsFiles(SRC)) g.set(relative(SRC, f), importsOf(f, readFileSync(f, 'utf8')));
  return g;
}

const pkg = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
const TRANSPORTS = new Set(['fastify', 'botkit', 'botbuilder', 'bullmq', '@bull-board/api', '@bull-board/fastify', '@fastify/formbody', '@fastify/rate-limit']);

function layeringViolations(g: Graph): string[] {
  const out: string[] = [];
  for (const [file, specs] of g) {
    for (const spec of specs) {
      const isLocal = !spec.includes(':') && /\.ts$/.test(spec);
      if (file.startsWith('orders/')) {
        if (!isLocal && TRANSPORTS.has(pkg(spec))) out.push(`${file} imports ${spec} (src/orders imports no transport)`);
        if (isLocal && /^(http|bot|jobs|simulator)\//.test(spec)) out.push(`${file} imports ${spec} (src/orders imports no transport layer)`);
      }
      if (!isLocal && (pkg(spec) === 'botkit' || pkg(spec).startsWith('botbuilder')) && !file.startsWith('bot/')) {
        out.push(`${file} imports ${spec} (Botkit only under src/bot)`);
      }
      if (file.startsWith('jobs/') && isLocal && spec.startsWith('http/')) out.push(`${file} imports ${spec} (jobs never import http)`);
    }
  }
  return out;
}

/** Every import cycle among the given files (depth-first search over local imports), each as a path. */
function cyclesAmong(g: Graph, inScope: (file: string) => boolean): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'visiting');
    stack.push(f);
    for (const dep of g.get(f) ?? []) {
      if (!inScope(dep) || !g.has(dep)) continue;
      if (state.get(dep) === 'visiting') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...g.keys()].filter(inScope).sort()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('the layers of src/', () => {
  const graph = buildGraph();

  it('reads the imports it checks (the scanner is not blind)', () => {
    expect(graph.get('orders/index.ts')).toContain('orders/types.ts');
    expect(graph.get('bot/router.ts')).toContain('botkit');
  });

  it('keeps transports out of the order engine, Botkit inside src/bot and HTTP out of the jobs', () => {
    expect(layeringViolations(graph)).toEqual([]);
  });

  it('has no import cycle between the files of src/orders', () => {
    expect(cyclesAmong(graph, (f) => f.startsWith('orders/')).map((c) => c.join(' → '))).toEqual([]);
  });

  it('reports each kind of violation it is meant to catch', () => {
    const bad: Graph = new Map([
      ['orders/a.ts', ['fastify', 'orders/b.ts', 'jobs/queues.ts']],
      ['orders/b.ts', ['orders/a.ts']],
      ['jobs/index.ts', ['http/metrics.ts']],
      ['http/server.ts', ['botkit']],
    ]);
    expect(layeringViolations(bad)).toEqual([
      'orders/a.ts imports fastify (src/orders imports no transport)',
      'orders/a.ts imports jobs/queues.ts (src/orders imports no transport layer)',
      'jobs/index.ts imports http/metrics.ts (jobs never import http)',
      'http/server.ts imports botkit (Botkit only under src/bot)',
    ]);
    expect(cyclesAmong(bad, (f) => f.startsWith('orders/'))).toEqual([['orders/a.ts', 'orders/b.ts', 'orders/a.ts']]);
  });
});
