import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/cli/config.ts';
import { consoleReporter } from '../../src/reporters/console.ts';
import type { RunResult } from '../../src/run/result.ts';
import { parseYamlSpec } from '../../src/spec/load.ts';
import { KIND_ORDER, type Kind } from '../../src/spec/model.ts';
import { runCli, tempFiles } from '../support/cli.ts';

// Every ```yaml block of the user documentation is loaded the way pgspec loads it, so an
// example that stops parsing fails the build. What a block is follows from its first lines:
//
//   - `# FILE.yaml` as the first line names the file the block is:
//       `pgspec.config.yaml` (or .yml)   -> a config, loaded with the config loader;
//       `*.spec.yaml` (or .yml)          -> a whole spec;
//       any other file (`.github/workflows/pgspec.yml`, `.gitlab-ci.yml`) -> not pgspec's, skipped;
//   - otherwise the first line that is not a comment decides:
//       `name: ...`                      -> a whole spec;
//       `- ...`                          -> a list of entries, validated as the `post` of a spec;
//   - anything else fails: say what the block is.
//
// In docs/spec-reference.md a ```text block right after a yaml block is that block's output:
// the entries are run by `pgspec gate` against fixtures/example/shop.sql before and after the
// page's `-- release.sql` block, and the console lines (mark, phase, message) must match.

const DOCS = [
  'README.md',
  'docs/getting-started.md',
  'docs/spec-reference.md',
  'docs/config.md',
  'docs/ci.md',
  'docs/runbook.md',
  ...readdirSync('docs/guides')
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/guides/${f}`),
];
const REFERENCE = 'docs/spec-reference.md';

/** A Fence is one fenced code block of a Markdown file. */
interface Fence {
  lang: string;
  /** 1-based line of the block's first content line. */
  line: number;
  text: string;
  /** The output block that follows it directly (only blank lines between), if any. */
  output?: Fence;
}

type Role = 'spec' | 'entries' | 'config' | 'other';

/** A DocBlock is one ```yaml block of a documentation file, classified. */
interface DocBlock extends Fence {
  file: string;
  role: Role | undefined;
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: { fence: Fence; open: number; close: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let close = i + 1;
    while (close < lines.length && lines[close]!.trim() !== open[1]) close++;
    out.push({ fence: { lang: open[2]!, line: i + 2, text: lines.slice(i + 1, close).join('\n') }, open: i, close });
    i = close;
  }
  for (let k = 0; k + 1 < out.length; k++) {
    const { fence, close } = out[k]!;
    const next = out[k + 1]!;
    const between = lines.slice(close + 1, next.open);
    if (next.fence.lang === 'text' && between.every((l) => l.trim() === '') && /^[✓✗!] /.test(next.fence.text)) fence.output = next.fence;
  }
  return out.map((o) => o.fence);
}

function classify(text: string): Role | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const file = /^#\s+([\w./-]+\.ya?ml)\s*$/.exec(lines[0] ?? '')?.[1];
  if (file !== undefined) {
    if (/(^|\/)pgspec\.config\.ya?ml$/.test(file)) return 'config';
    if (/\.spec\.ya?ml$/.test(file)) return 'spec';
    return 'other';
  }
  const content = lines.find((l) => !l.trimStart().startsWith('#'));
  if (content?.startsWith('name:')) return 'spec';
  if (content?.startsWith('- ')) return 'entries';
  return undefined;
}

function yamlBlocks(file: string): DocBlock[] {
  return fences(readFileSync(file, 'utf8'))
    .filter((f) => f.lang === 'yaml' || f.lang === 'yml')
    .map((f) => ({ ...f, file, role: classify(f.text) }));
}

/** The block as a spec file whose lines are the document's lines, so errors name the doc's line. */
function specText(block: DocBlock): string {
  if (block.role === 'entries') return `${'\n'.repeat(block.line - 3)}name: doc-example\npost:\n${block.text}\n`;
  return `${'\n'.repeat(block.line - 1)}${block.text}\n`;
}

const blocks = DOCS.flatMap(yamlBlocks);
const specBlocks = blocks.filter((b) => b.role === 'spec' || b.role === 'entries');

describe('yaml blocks in the documentation', () => {
  it('finds the documentation files and at least one spec block per kind', () => {
    for (const file of DOCS) expect(existsSync(file), file).toBe(true);
    expect(specBlocks.length).toBeGreaterThanOrEqual(KIND_ORDER.length);
  });

  it('docs/spec-reference.md has an example of every kind', () => {
    const kinds = new Set<Kind>();
    for (const block of specBlocks.filter((b) => b.file === REFERENCE)) {
      const spec = parseYamlSpec(specText(block), block.file);
      for (const exp of [...spec.pre, ...spec.post, ...spec.always]) kinds.add(exp.kind);
    }
    expect(KIND_ORDER.filter((k) => !kinds.has(k))).toEqual([]);
  });

  describe.each(DOCS.filter((file) => blocks.some((b) => b.file === file)))('%s', (file) => {
    const mine = blocks.filter((b) => b.file === file);
    it.each(mine.map((b) => [`${file}:${b.line} (${b.role ?? 'unclassified'})`, b] as const))('%s', async (_name, block) => {
      if (block.role === undefined) {
        throw new Error(
          `${file}:${block.line}: a yaml block must be a spec ("name: ..."), a list of entries ("- ..."), or start with "# FILE.yaml" naming the file it is`,
        );
      }
      if (block.role === 'spec' || block.role === 'entries') {
        parseYamlSpec(specText(block), file);
      } else if (block.role === 'config') {
        const dir = tempFiles({ 'pgspec.config.yaml': block.text });
        await loadConfig(join(dir, 'pgspec.config.yaml')).catch((error: Error) => {
          throw new Error(`${file}:${block.line}: ${error.message}`);
        });
      }
    });
  });
});

// --- the documented messages of docs/spec-reference.md ---

const reference = fences(readFileSync(REFERENCE, 'utf8'));
const release = reference.find((f) => f.lang === 'sql' && f.text.startsWith('-- release.sql'));
const checked = yamlBlocks(REFERENCE).filter((b) => b.output !== undefined);

/** The console lines of one block's results: verdict mark, phase, message (and glob details), no file:line. */
function consoleLines(run: RunResult, results: RunResult['specs'][number]['results']): string {
  const spec = { name: 'doc', file: REFERENCE, results: results.map(({ line: _line, ...r }) => r) };
  const lines = consoleReporter.render({ ...run, specs: [spec] }, { color: false }).trimEnd().split('\n');
  // Drop the header, the spec's line and the closing count line; results are indented by two.
  return lines
    .slice(2, -1)
    .map((l) => l.slice(2))
    .join('\n');
}

describe('the messages documented in docs/spec-reference.md', () => {
  let run: RunResult;
  const resultsOf = new Map<DocBlock, RunResult['specs'][number]['results']>();

  beforeAll(async () => {
    if (!release) throw new Error(`${REFERENCE}: no \`\`\`sql block starting with "-- release.sql"`);
    const dir = tempFiles({});
    mkdirSync(join(dir, 'release'));
    writeFileSync(join(dir, 'release', '001_release.sql'), `${release.text}\n`);
    // Entry lists run as the post list of one spec, in page order; whole specs run as themselves.
    const lists = checked.filter((b) => b.role === 'entries');
    const specs = checked.filter((b) => b.role === 'spec');
    const files = [join(dir, 'entries.spec.yaml')];
    writeFileSync(files[0]!, `name: doc-entries\npost:\n${lists.map((b) => b.text).join('\n')}\n`);
    specs.forEach((b, i) => {
      files.push(join(dir, `spec-${i}.spec.yaml`));
      writeFileSync(files[i + 1]!, `${b.text}\n`);
    });
    // One gate per spec file, each on an embedded server of its own: the release creates a role, and roles
    // belong to the server, so a second spec on the same server would find it already there.
    const runs: RunResult[] = [];
    for (const [i, file] of files.entries()) {
      const report = join(dir, `report-${i}.json`);
      const cli = await runCli(['gate', file, '--baseline', 'fixtures/example/shop.sql', '--migrations', join(dir, 'release'), '--quiet', '--reporter', `json:${report}`]);
      expect(cli.stderr, file).toBe('');
      expect(cli.code, file).toBe(1);
      runs.push(JSON.parse(readFileSync(report, 'utf8')) as RunResult);
    }
    run = runs[0]!;

    let at = 0;
    const post = run.specs[0]!.results.filter((r) => r.phase === 'post');
    for (const block of lists) {
      const count = parseYamlSpec(specText(block), REFERENCE).post.length;
      resultsOf.set(block, post.slice(at, at + count));
      at += count;
    }
    expect(at).toBe(post.length);
    specs.forEach((b, i) => resultsOf.set(b, runs[i + 1]!.specs[0]!.results));
  }, 180_000);

  it('has output blocks to check', () => {
    expect(checked.length).toBeGreaterThanOrEqual(20);
  });

  it.each(checked.map((b) => [`${REFERENCE}:${b.line}`, b] as const))('%s prints what the page shows', (where, block) => {
    expect(consoleLines(run, resultsOf.get(block)!), `${where}: the output block at line ${block.output!.line}`).toBe(block.output!.text.trimEnd());
  });
});
