import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPORTERS } from '../../src/reporters/index.ts';
import type { RunResult } from '../../src/run/result.ts';
import { ensureChromium, launchChromium, type ChromiumSession } from '../support/browser.ts';
import { lastLine, runCli, tempFiles } from '../support/cli.ts';

/** Screenshots and the printed PDF land here, kept by CI as test artifacts. */
const ARTIFACTS = resolve('test-results');

const render = (name: string, run: RunResult) => REPORTERS[name]!.render(run, { color: false });

/** The line of the failing expectation in the bundled example, read from the spec itself. */
const UNIT_COST_LINE =
  readFileSync('specs/example.spec.yaml', 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('- column: public.products.unit_cost')) + 1;

/** A gate run built by hand for what the bundled example never shows: an errored result, awkward text, row counts, a diff, timings. */
const EDGE: RunResult = {
  version: 1,
  command: 'gate',
  target: 'postgres://ci:****@db.internal:5432/app',
  pgspecVersion: '0.1.0',
  startedAt: '2026-01-02T03:04:05.000Z',
  durationMs: 65_432,
  summary: { passed: 1, failed: 1, errored: 1 },
  specs: [
    {
      name: 'edge | cases',
      file: 'specs/odd, name: here.spec.yaml',
      results: [
        { phase: 'pre', kind: 'table', object: 'table public.a|b', line: 3, state: 'passed', message: 'table public.a|b as expected' },
        {
          phase: 'post',
          kind: 'query',
          object: 'query select share from stats',
          line: 12,
          state: 'failed',
          message: 'share is 100%: expected 5, got 7,\nsee <migrate> | details',
          expected: 5,
          actual: { share: 7, rows: [1, 2] },
        },
        { phase: 'post', kind: 'query', object: 'query select pg_sleep(90) # slow', state: 'errored', message: 'canceling statement due to statement timeout' },
      ],
    },
  ],
  rowCounts: { pre: { 'public.a': 3, 'public.gone': 2, 'public.same': 4 }, post: { 'public.a': 5, 'public.new': 1, 'public.same': 4 } },
  diff: ['add column public.a.note', 'drop table public.gone', 'alter column public.a.id type integer -> bigint'],
  steps: [
    { step: 'provision', durationMs: 2100 },
    { step: 'migrate', spec: 'edge | cases', durationMs: 640 },
  ],
  commands: [{ command: 'npx prisma migrate deploy', exitCode: 1, signal: null, output: 'Error: P3009 <migrate> failed', durationMs: 1200 }],
};

/** A run that could not be carried out at all. */
const BROKEN: RunResult = {
  version: 1,
  command: 'check',
  target: 'postgres://ci:****@db.internal:5432/app',
  pgspecVersion: '0.1.0',
  startedAt: '2026-01-02T03:04:05.000Z',
  durationMs: 12,
  summary: { passed: 0, failed: 0, errored: 0 },
  specs: [],
  error: { code: 'TARGET_UNREACHABLE', message: 'cannot connect to postgres://ci:****@db.internal:5432/app: connection refused' },
};

/** A glob expectation that failed on two of the objects it matched. */
const GLOB: RunResult = {
  ...BROKEN,
  error: undefined,
  summary: { passed: 0, failed: 1, errored: 0 },
  specs: [
    {
      name: 'glob',
      file: 'specs/glob.spec.yaml',
      results: [
        {
          phase: 'post',
          kind: 'policy',
          object: 'policy * on public.*',
          line: 7,
          state: 'failed',
          message: '2 of 3 policies matching * on public.* differ',
          matched: ['p1 on public.a', 'p2 on public.b', 'p3 on public.c'],
          failures: [
            { object: 'p1 on public.a', message: 'roles are [anon], expected [authenticated]' },
            { object: 'p2 on public.b', message: 'command is all, expected select' },
          ],
        },
      ],
    },
  ],
};

/** The data rows of the markdown table under `header`, each split into its cells at unescaped pipes. */
function markdownTable(md: string, header: string): string[][] {
  const lines = md.split('\n');
  const start = lines.indexOf(header);
  expect(start, `table ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

/** A GitHub workflow command as the runner reads it: `::NAME key=value,key=value::MESSAGE`, values unescaped. */
interface WorkflowCommand {
  name: string;
  props: Record<string, string>;
  rawProps: string;
  message: string;
  rawMessage: string;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));

function workflowCommands(text: string): WorkflowCommand[] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const m = /^::(error|warning|notice)(?: ([^:\n]*))?::([^\n]*)$/.exec(line);
      expect(m, `a workflow command: ${line}`).not.toBeNull();
      const [, name, rawProps = '', rawMessage = ''] = m!;
      const props = Object.fromEntries(
        rawProps
          .split(',')
          .filter(Boolean)
          .map((p) => {
            const i = p.indexOf('=');
            return [p.slice(0, i), unescapeProperty(p.slice(i + 1))];
          }),
      );
      return { name: name!, props, rawProps, message: unescapeData(rawMessage), rawMessage };
    });
}

/** The YAML diagnostic block under the TAP line that starts with `testLine`, parsed. */
function tapDiagnostics(tap: string, testLine: string): Record<string, unknown> {
  const lines = tap.split('\n');
  const at = lines.findIndex((l) => l.startsWith(testLine));
  expect(at, testLine).toBeGreaterThanOrEqual(0);
  expect(lines[at + 1]).toBe('  ---');
  const end = lines.indexOf('  ...', at + 2);
  expect(end).toBeGreaterThan(at);
  return parseYaml(lines.slice(at + 2, end).map((l) => l.replace(/^ {2}/, '')).join('\n')) as Record<string, unknown>;
}

describe('reports of the bundled example', () => {
  let dir: string;
  let real: RunResult;
  const file = (name: string) => join(dir, name);
  const read = (name: string) => readFileSync(file(name), 'utf8');

  beforeAll(async () => {
    dir = tempFiles({});
    const run = await runCli([
      'check',
      'specs/example.spec.yaml',
      '--target',
      'fixtures/example/shop.sql',
      '--quiet',
      ...['json:result.json', 'markdown:report.md', 'html:report.html', 'github:github.txt', 'tap:report.tap'].flatMap((r) => ['--reporter', r.replace(':', `:${dir}/`)]),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    real = JSON.parse(read('result.json')) as RunResult;
    expect(real.summary).toEqual({ passed: 14, failed: 1, errored: 0 });
  });

  describe('markdown', () => {
    it('heads with the verdict and closing counts and lists every expectation in the verdict table', () => {
      const md = read('report.md');
      expect(md.split('\n')[0]).toBe('## ❌ pgspec check failed: 14 passed, 1 failed');
      const rows = markdownTable(md, '| Spec | Expectation | Phase | State | Message |');
      expect(rows).toHaveLength(15);
      expect(rows.every((r) => r.length === 5 && r[0] === 'shop-release-2026-11')).toBe(true);
      expect(rows.filter((r) => r[3] === '✅')).toHaveLength(14);
      expect(rows.filter((r) => r[3] === '❌')).toEqual([
        ['shop-release-2026-11', '`column public.products.unit_cost`', 'post', '❌', 'column public.products.unit_cost does not exist'],
      ]);
      expect(rows[0]).toEqual(['shop-release-2026-11', '`table public.customers`', 'post', '✅', 'table public.customers as expected']);
    });

    it('details each failure with where it is written, expected and actual, then row counts and where the run happened', () => {
      const md = read('report.md');
      const failures = md.slice(md.indexOf('### Failures'));
      expect(failures).toContain('#### ❌ `column public.products.unit_cost`');
      expect(failures).toContain(`failed · post · \`specs/example.spec.yaml:${UNIT_COST_LINE}\``);
      expect(failures).toContain('- Expected: `"present"`\n- Actual: `"absent"`');
      expect(markdownTable(md, '| Table | Post |')).toEqual([['`public.customers`', '3']]);
      expect(md.trimEnd().split('\n').at(-1)).toMatch(
        /^\*\*Target\*\* `fixtures\/example\/shop\.sql \(restored into an embedded PostgreSQL\)` · \*\*Started\*\* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · \*\*Duration\*\* [\d.]+ m?s · \*\*pgspec\*\* \d+\.\d+\.\d+/,
      );
    });

    it('escapes pipes and newlines in cells, marks errored rows, and folds the structural diff into <details>', () => {
      const md = render('markdown', EDGE);
      expect(md.split('\n')[0]).toBe('## ❌ pgspec gate failed: 1 passed, 1 failed, 1 errored');
      const rows = markdownTable(md, '| Spec | Expectation | Phase | State | Message |');
      expect(rows.map((r) => r.length)).toEqual([5, 5, 5]);
      expect(rows[0]).toEqual(['edge \\| cases', '`table public.a\\|b`', 'pre', '✅', 'table public.a\\|b as expected']);
      expect(rows[1]![4]).toBe('share is 100%: expected 5, got 7,<br>see &lt;migrate> \\| details');
      expect(rows[2]![3]).toBe('⚠️');
      expect(markdownTable(md, '| Table | Pre | Post | Δ |')).toEqual([
        ['`public.a`', '3', '5', '**+2**'],
        ['`public.gone`', '2', '–', '**gone**'],
        ['`public.new`', '–', '1', '**new**'],
        ['`public.same`', '4', '4', '0'],
      ]);
      expect(md).toContain('- Actual:\n\n  ```json\n  {\n    "share": 7,');
      expect(md).toContain(
        '<details>\n<summary>Structural diff, pre → post: 3 changes</summary>\n\n```diff\n+ add column public.a.note\n- drop table public.gone\n! alter column public.a.id type integer -> bigint\n```\n\n</details>',
      );
      expect(md).toContain('**Duration** 1 min 05 s');
    });

    it('lists each object a glob expectation failed on', () => {
      expect(render('markdown', GLOB)).toContain(
        '2 of 3 policies matching \\* on public.\\* differ\n\n- `p1 on public.a`: roles are \\[anon\\], expected \\[authenticated\\]\n- `p2 on public.b`: command is all, expected select\n',
      );
    });

    it('says a run that could not be carried out could not run, and why', () => {
      const md = render('markdown', BROKEN);
      expect(md.split('\n')[0]).toBe('## ⚠️ pgspec check could not run: 0 passed, 0 failed');
      expect(md).toContain('> **Error** (`TARGET_UNREACHABLE`): cannot connect to postgres://ci:\\*\\*\\*\\*@db.internal:5432/app: connection refused');
    });
  });

  describe('github', () => {
    it('annotates the failing expectation on its spec file and line, then one notice with the counts', () => {
      const commands = workflowCommands(read('github.txt'));
      expect(commands.map((c) => c.name)).toEqual(['error', 'notice']);
      const [error, notice] = commands;
      expect(error!.props).toEqual({ file: 'specs/example.spec.yaml', line: String(UNIT_COST_LINE), title: 'pgspec failed: column public.products.unit_cost (post)' });
      expect(error!.message).toBe('column public.products.unit_cost does not exist\nexpected: "present"\nactual: "absent"');
      expect(notice!.props).toEqual({ title: 'pgspec' });
      expect(notice!.message).toBe('14 passed, 1 failed');
    });

    it('escapes %, :, comma and newlines as GitHub documents, warns on errored, and omits an unknown line', () => {
      const commands = workflowCommands(render('github', EDGE));
      expect(commands.map((c) => c.name)).toEqual(['error', 'warning', 'notice']);
      const [failed, errored] = commands;
      expect(failed!.rawProps).toBe('file=specs/odd%2C name%3A here.spec.yaml,line=12,title=pgspec failed%3A query select share from stats (post)');
      expect(failed!.props.file).toBe('specs/odd, name: here.spec.yaml');
      // In the message only %, CR and LF are escaped; : and , stay as they are.
      expect(failed!.rawMessage.startsWith('share is 100%25: expected 5, got 7,%0Asee <migrate> | details%0Aexpected: 5%0Aactual: ')).toBe(true);
      expect(failed!.message).toBe('share is 100%: expected 5, got 7,\nsee <migrate> | details\nexpected: 5\nactual: {"share":7,"rows":[1,2]}');
      expect(errored!.props).toEqual({ file: 'specs/odd, name: here.spec.yaml', title: 'pgspec errored: query select pg_sleep(90) # slow (post)' });
      expect(errored!.rawProps).not.toContain('line=');
      expect(errored!.message).toBe('canceling statement due to statement timeout');
    });

    it('lists each object a glob expectation failed on in the annotation', () => {
      const [error] = workflowCommands(render('github', GLOB));
      expect(error!.message).toBe(
        '2 of 3 policies matching * on public.* differ\n- p1 on public.a: roles are [anon], expected [authenticated]\n- p2 on public.b: command is all, expected select',
      );
    });

    it('reports a run that could not be carried out as one error titled pgspec', () => {
      expect(render('github', BROKEN)).toBe(
        '::error title=pgspec::cannot connect to postgres://ci:****@db.internal:5432/app: connection refused (TARGET_UNREACHABLE)\n',
      );
    });
  });

  describe('tap', () => {
    it('is TAP 14 with a plan, one test point per expectation, and a YAML block under the failure', () => {
      const tap = read('report.tap');
      const lines = tap.trimEnd().split('\n');
      expect(lines.slice(0, 2)).toEqual(['TAP version 14', '1..15']);
      const points = lines.filter((l) => /^(not )?ok \d+ - /.test(l));
      expect(points.map((l) => Number(/ok (\d+)/.exec(l)![1]))).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(points.filter((l) => l.startsWith('ok '))).toHaveLength(14);
      expect(points.filter((l) => l.startsWith('not ok '))).toEqual(['not ok 13 - post column public.products.unit_cost']);
      expect(points[0]).toBe('ok 1 - post table public.customers');
      expect(tapDiagnostics(tap, 'not ok 13 - ')).toEqual({
        message: 'column public.products.unit_cost does not exist',
        severity: 'fail',
        expected: 'present',
        actual: 'absent',
        at: `specs/example.spec.yaml:${UNIT_COST_LINE}`,
        kind: 'column',
      });
      expect(lines.at(-1)).toBe('# 14 passed, 1 failed');
    });

    it('marks errored expectations severity error, keeps structured values, escapes # and bails out on a run error', () => {
      const tap = render('tap', EDGE);
      expect(tap).toContain('not ok 3 - post query select pg_sleep(90) \\# slow\n');
      expect(tapDiagnostics(tap, 'not ok 3 - ')).toEqual({
        message: 'canceling statement due to statement timeout',
        severity: 'error',
        at: 'specs/odd, name: here.spec.yaml',
        kind: 'query',
      });
      expect(tapDiagnostics(tap, 'not ok 2 - ')).toMatchObject({
        message: 'share is 100%: expected 5, got 7,\nsee <migrate> | details',
        severity: 'fail',
        expected: 5,
        actual: { share: 7, rows: [1, 2] },
        at: 'specs/odd, name: here.spec.yaml:12',
      });
      expect(render('tap', BROKEN)).toBe('TAP version 14\nBail out! cannot connect to postgres://ci:****@db.internal:5432/app: connection refused\n');
    });
  });

  describe('html, in a real headless Chromium', () => {
    let browser: ChromiumSession | undefined;
    let unavailable: string | undefined;

    beforeAll(async () => {
      const found = await ensureChromium();
      if ('reason' in found) {
        unavailable = found.reason;
        console.log(`skipping the HTML browser tests: ${unavailable}`);
        return;
      }
      browser = await launchChromium(found.path);
      mkdirSync(ARTIFACTS, { recursive: true });
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
    });

    /** Opens an HTML file and records every request the page makes. */
    async function open(path: string): Promise<{ page: Page; requests: string[] }> {
      const page = await browser!.context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      return { page, requests };
    }

    it('shows the verdict, the counts and the failure with expected and actual, loading nothing but itself', async (ctx) => {
      if (unavailable) ctx.skip(unavailable);
      const path = file('report.html');
      const { page, requests } = await open(path);
      try {
        expect(requests).toEqual([pathToFileURL(path).href]);
        expect(await page.title()).toBe('pgspec check: 14 passed, 1 failed');
        const banner = page.locator('header.banner');
        expect(await banner.isVisible()).toBe(true);
        expect(await banner.innerText()).toMatch(/Failed\s+14 passed, 1 failed/);
        for (const [state, n] of [['passed', '14'], ['failed', '1'], ['errored', '0'], ['total', '15']] as const) {
          const card = page.getByTestId(`count-${state}`);
          expect(await card.isVisible()).toBe(true);
          expect((await card.locator('.n').innerText()).trim()).toBe(n);
        }
        const failures = page.locator('#failures article');
        expect(await failures.count()).toBe(1);
        const failure = failures.first();
        expect(await failure.isVisible()).toBe(true);
        const text = await failure.innerText();
        expect(text).toContain('column public.products.unit_cost does not exist');
        expect(text).toContain(`specs/example.spec.yaml:${UNIT_COST_LINE}`);
        expect(await failure.locator('.expected pre').innerText()).toBe('"present"');
        expect(await failure.locator('.actual pre').innerText()).toBe('"absent"');
        expect(await page.locator('#results tbody tr').count()).toBe(15);
        expect(await page.locator('#results tr.failed').innerText()).toContain('column public.products.unit_cost');
        expect(await page.locator('#row-counts').innerText()).toMatch(/public\.customers\s+3/);
        const meta = await page.locator('.meta').innerText();
        expect(meta).toContain('fixtures/example/shop.sql (restored into an embedded PostgreSQL)');
        expect(meta).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
        expect(meta).toContain(real.pgspecVersion);
        await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });

        // Printed for sign-off: black on white, rows never cut across pages, nothing folded away.
        await page.emulateMedia({ media: 'print' });
        // A string expression: the test compiles without the DOM library.
        const css = (selector: string, property: string) => page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)}))[${JSON.stringify(property)}]`);
        const style = {
          banner: await css('header.banner', 'backgroundColor'),
          bannerText: await css('header.banner', 'color'),
          row: await css('#results tbody tr', 'breakInside'),
          failure: await css('#failures article', 'breakInside'),
        };
        expect(style).toEqual({ banner: 'rgba(0, 0, 0, 0)', bannerText: 'rgb(0, 0, 0)', row: 'avoid', failure: 'avoid' });
        await page.screenshot({ path: join(ARTIFACTS, 'report-print.png'), fullPage: true });
        await page.pdf({ path: join(ARTIFACTS, 'report.pdf'), format: 'A4' });
      } finally {
        await page.close();
      }
    });

    it('renders a gate run with errors, row changes, the diff and timings, escaping every text', async (ctx) => {
      if (unavailable) ctx.skip(unavailable);
      const path = join(dir, 'edge.html');
      writeFileSync(path, render('html', EDGE));
      const { page, requests } = await open(path);
      try {
        expect(requests).toEqual([pathToFileURL(path).href]);
        expect((await page.getByTestId('count-errored').locator('.n').innerText()).trim()).toBe('1');
        const failures = page.locator('#failures article');
        expect(await failures.count()).toBe(2);
        expect(await failures.nth(0).locator('.message').innerText()).toBe('share is 100%: expected 5, got 7,\nsee <migrate> | details');
        expect(JSON.parse(await failures.nth(0).locator('.actual pre').innerText())).toEqual({ share: 7, rows: [1, 2] });
        expect(await failures.nth(1).innerText()).toMatch(/Errored\s+query select pg_sleep\(90\) # slow/);
        expect(await page.locator('migrate').count()).toBe(0);
        const counts = await page.locator('#row-counts').innerText();
        expect(counts).toMatch(/public\.a\s+3\s+5\s+\+2/);
        expect(counts).toMatch(/public\.gone\s+2\s+–\s+table gone/);
        expect(counts).toMatch(/public\.new\s+–\s+1\s+new table/);
        expect(await page.locator('#diff pre').innerText()).toBe(
          '+ add column public.a.note\n- drop table public.gone\n~ alter column public.a.id type integer -> bigint',
        );
        expect(await page.locator('#steps').innerText()).toMatch(/migrate\s+edge \| cases\s+640 ms/);
        expect(await page.locator('#commands pre').innerText()).toBe('Error: P3009 <migrate> failed');
        expect(await page.locator('.meta').innerText()).toContain('postgres://ci:****@db.internal:5432/app');
        await page.screenshot({ path: join(ARTIFACTS, 'report-gate.png'), fullPage: true });
      } finally {
        await page.close();
      }
    });
  });

  it('html is one self-contained file: no http(s) resource, stylesheet, script or import', () => {
    for (const html of [read('report.html'), render('html', EDGE), render('html', BROKEN)]) {
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('@media print');
      expect(html).not.toMatch(/<(?:link|script|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|data|srcset)\s*=/i);
      expect(html).not.toMatch(/@import|url\(/i);
      expect(html).not.toMatch(/https?:\/\//);
    }
    expect(render('html', EDGE)).toContain('see &lt;migrate&gt; | details');
  });

  describe('pgspec report', () => {
    it('re-renders a saved json result into the same html and markdown, exiting 1 as the failing run did', async () => {
      const run = await runCli(['report', file('result.json'), '--reporter', `html:${file('again.html')}`, '--reporter', `markdown:${file('again.md')}`]);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toBe('');
      expect(read('again.md')).toBe(read('report.md'));
      expect(read('again.html')).toBe(read('report.html'));
      expect(read('again.md').split('\n')[0]).toBe('## ❌ pgspec check failed: 14 passed, 1 failed');
      expect(read('again.html')).toContain('<title>pgspec check: 14 passed, 1 failed</title>');
    });

    it('prints the console report by default, and exits with the saved run\'s code', async () => {
      const failing = await runCli(['report', file('result.json')]);
      expect(failing.code).toBe(1);
      expect(lastLine(failing.stdout)).toBe('14 passed, 1 failed');

      const passing: RunResult = {
        ...real,
        summary: { passed: 14, failed: 0, errored: 0 },
        specs: real.specs.map((s) => ({ ...s, results: s.results.filter((r) => r.state === 'passed') })),
      };
      writeFileSync(file('passing.json'), JSON.stringify(passing));
      const ok = await runCli(['report', file('passing.json'), '--reporter', 'tap']);
      expect(ok.code).toBe(0);
      expect(ok.stdout.split('\n').slice(0, 2)).toEqual(['TAP version 14', '1..14']);

      writeFileSync(file('broken.json'), JSON.stringify(BROKEN));
      const broken = await runCli(['report', file('broken.json'), '--reporter', 'github']);
      expect(broken.code).toBe(3);
      expect(broken.stdout).toContain('::error title=pgspec::cannot connect');
    });

    it('exits 2 with a clear message on a file that is not a pgspec result', async () => {
      const bad = tempFiles({
        'package.json': readFileSync('package.json', 'utf8'),
        'notjson.json': 'not json at all',
        'v2.json': JSON.stringify({ ...BROKEN, version: 2 }),
        'shape.json': JSON.stringify({ ...EDGE, specs: [{ ...EDGE.specs[0], results: [{ ...EDGE.specs[0]!.results[0], state: 'maybe' }] }] }),
      });
      const cases: [string, string][] = [
        ['package.json', `${join(bad, 'package.json')} is not a pgspec result: it has no "version": 1; pgspec report reads the file written by --reporter json:FILE`],
        ['notjson.json', `${join(bad, 'notjson.json')} is not JSON (`],
        ['v2.json', `${join(bad, 'v2.json')} is a pgspec result of version 2, this pgspec reads version 1`],
        ['shape.json', `${join(bad, 'shape.json')} is not a pgspec result: specs[0].results[0].state: `],
        ['missing.json', `cannot read ${join(bad, 'missing.json')}: no such file`],
      ];
      for (const [name, message] of cases) {
        const run = await runCli(['report', join(bad, name), '--reporter', `html:${join(bad, 'out.html')}`]);
        expect(run.code, name).toBe(2);
        expect(run.stderr, name).toContain(`pgspec: ${message}`);
        expect(run.stdout, name).toBe('');
      }
      const unknown = await runCli(['report', file('result.json'), '--reporter', 'pdf']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown reporter pdf');
    });
  });
});
