import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { run } from '../../src/cli/main';
import { runCli } from '../helpers/cli';
import { threeRuns, writeFixtureRun } from '../helpers/fixtureRuns';
import { tempDir } from '../helpers/tempDir';

test('runs: a table, newest first, with status, data set, ε, epochs, accuracy and ECE per arm, duration', async () => {
  const root = tempDir();
  const { a, b, c } = threeRuns(root);
  const r = await runCli(['runs', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[1]!, /│ id +│ name +│ status +│ data set +│ ε \(smoothing\) +│ epochs +│ test acc \(hard \/ smoothed\) +│ ECE \(hard \/ smoothed\) +│ duration +│/);
  const order = [c.id, b.id, a.id].map((id) => r.stdout.indexOf(id));
  assert.ok(order.every((pos, i) => pos > 0 && (i === 0 || pos > order[i - 1]!)), 'newest first');
  // fixture: 5 of 6 test samples right in both arms; ECE of the hard arm = |0.9 − 5/6| = 0.0667
  assert.match(r.stdout, new RegExp(`│ ${b.id} │ eps01 +│ completed │ synthetic │ 0\\.1 \\(uniform\\) +│ +3/3 │ +83\\.33% / 83\\.33% │ +0\\.0667 / 0\\.0333 │ +12\\.5 s │`));
});

test('runs --format markdown pastes into a PR; --format csv has one row per run and arm; --json has stable keys', async () => {
  const root = tempDir();
  const { a } = threeRuns(root);
  const md = await runCli(['runs', '--runs-dir', root, '--format', 'markdown']);
  assert.equal(md.code, 0);
  const mdLines = md.stdout.trim().split('\n');
  assert.equal(mdLines[0], '| id | name | status | data set | ε (smoothing) | epochs | test acc (hard / smoothed) | ECE (hard / smoothed) | duration |');
  assert.equal(mdLines[1], '| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |');
  assert.equal(mdLines.length, 5);
  assert.equal(mdLines[4], `| ${a.id} | eps0 | completed | synthetic | 0 (uniform) | 3/3 | 83.33% / 83.33% | 0.0667 / 0.0667 | 12.5 s |`);

  const csv = await runCli(['runs', '--runs-dir', root, '--format', 'csv']);
  const rows = csv.stdout.trim().split('\n');
  assert.equal(rows[0], 'id,name,status,createdAt,dataset,smoothing,epochsCompleted,epochsTotal,arm,epsilon,testAccuracy,ece,seconds,sweep,cell');
  assert.equal(rows.length, 7);
  assert.match(rows[6]!, new RegExp(`^${a.id},eps0,completed,2026-11-20T10:00:00.000Z,synthetic,uniform,3,3,smoothed,0,0.8333333333333334,0.0666666\\d*,12.5,,$`));

  const json = await runCli(['runs', '--runs-dir', root, '--json']);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.runsDir, root);
  assert.equal(doc.runs.length, 3);
  assert.deepEqual(Object.keys(doc.runs[0]), ['id', 'name', 'tags', 'status', 'statusNote', 'createdAt', 'dataset', 'smoothing', 'epsilon', 'epochs', 'arms', 'seconds', 'dir', 'problems', 'sweep', 'options']);
  assert.deepEqual(Object.keys(doc), ['runsDir', 'runs', 'sweeps', 'options']);
  assert.deepEqual([doc.sweeps, doc.options, doc.runs[0].sweep, doc.runs[0].options], [[], [], null, {}], 'no sweep, and the runs differ only in ε (a column of its own)');
  assert.deepEqual(doc.runs[2].arms.map((x: { label: string }) => x.label), ['hard', 'smoothed']);
  assert.deepEqual(doc.runs[2].epochs, { completed: 3, total: 3 });
});

test('runs filters from the command line, and their bad input', async () => {
  const root = tempDir();
  const { a, b, c } = threeRuns(root);
  const ids = async (...args: string[]) => JSON.parse((await runCli(['runs', '--runs-dir', root, '--json', ...args])).stdout).runs.map((x: { id: string }) => x.id);
  assert.deepEqual(await ids('--tag', 'sweep'), [b.id, a.id]);
  assert.deepEqual(await ids('--limit', '1'), [c.id]);
  assert.deepEqual(await ids('--since', '2026-11-20T10:01:00Z'), [c.id, b.id]);
  assert.deepEqual(await ids('--dataset', 'fashion-mnist'), []);
  assert.deepEqual(await ids('--status', 'completed,died'), [c.id, b.id, a.id]);
  for (const [args, pattern] of [
    [['--status', 'done'], /--status "done": expected one of running, completed, failed, interrupted, died, unknown, corrupt, unsupported/],
    [['--limit', '0'], /--limit "0": expected a whole number ≥ 1/],
    [['--since', 'last week'], /--since "last week": expected a duration/],
    [['--format', 'html'], /--format: expected one of table, markdown, csv, got "html"/],
    [['--json', '--format', 'csv'], /--json and --format csv: choose one/],
  ] as [string[], RegExp][]) {
    const r = await runCli(['runs', '--runs-dir', root, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
  }
  const empty = await runCli(['runs', '--runs-dir', tempDir()]);
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /^no runs in /);
});

test('runs lists a broken directory as corrupt, says why on stderr, and still lists the others', async () => {
  const root = tempDir();
  const { a, b } = threeRuns(root);
  writeFileSync(a.file('status'), '{"schemaVersion": 1, "status": "comp');
  const r = await runCli(['runs', '--runs-dir', root]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`${a.id} │ eps0 +│ corrupt `));
  assert.match(r.stdout, new RegExp(`${b.id} │ eps01 +│ completed `));
  assert.match(r.stderr, new RegExp(`run ${a.id} is corrupt: status\\.json: not valid JSON`));
});

test('runs rm: --yes deletes; without --yes a non-terminal stdin is refused; on a terminal it asks', async () => {
  const root = tempDir();
  const { a, b, c } = threeRuns(root);
  const refused = await runCli(['runs', 'rm', 'eps0', '--runs-dir', root]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`would delete 1 run\\(s\\) \\(${a.id}\\); stdin is not a terminal, so pass --yes`));
  assert.ok(existsSync(a.dir));

  const deleted = await runCli(['runs', 'rm', 'eps0', '--yes', '--runs-dir', root]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, `deleted ${a.id}\n`);
  assert.ok(!existsSync(a.dir));

  const ask = async (answer: string, ...refs: string[]) => {
    let stdout = '';
    let stderr = '';
    const stdin = Object.assign(Readable.from([answer]), { isTTY: true });
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin };
    const code = await run(['runs', 'rm', ...refs, '--runs-dir', root], io);
    return { code, stdout, stderr };
  };
  const no = await ask('n\n', 'eps01');
  assert.equal(no.code, 1);
  assert.match(no.stderr, new RegExp(`delete 1 run\\(s\\) from .*: ${b.id}\\? \\[y/N\\] nothing deleted`));
  assert.ok(existsSync(b.dir));
  const yes = await ask('y\n', 'eps01', c.id);
  assert.equal(yes.code, 0, yes.stderr);
  assert.ok(!existsSync(b.dir) && !existsSync(c.dir));

  const unknown = await runCli(['runs', 'rm', 'nope', '--yes', '--runs-dir', root]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /run "nope": there are no runs in /);
});

test('runs reports an interrupted run and a run in progress honestly', async () => {
  const root = tempDir();
  const store = threeRuns(root).store;
  const interrupted = writeFixtureRun(store, { epsilon: 0.1, createdAt: '2026-11-21T10:00:00Z', outcome: 'interrupted', epochs: 5 });
  // Written by this process, so status.json records a pid that is alive: the run is still in progress.
  const inProgress = writeFixtureRun(store, { epsilon: 0.2, createdAt: '2026-11-21T11:00:00Z', outcome: 'running', epochs: 4 });
  assert.equal(JSON.parse(readFileSync(inProgress.file('status'), 'utf8')).pid, process.pid);
  const r = await runCli(['runs', '--runs-dir', root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${interrupted.id} │ +│ interrupted │ synthetic │ 0\\.1 \\(uniform\\) +│ +4/5 │ +— │ +— │`));
  assert.match(r.stdout, new RegExp(`${inProgress.id} │ +│ running +│ synthetic │ 0\\.2 \\(uniform\\) +│ +3/4 │ +— │ +— │`));
  const running = JSON.parse((await runCli(['runs', '--runs-dir', root, '--json', '--status', 'running'])).stdout).runs;
  assert.deepEqual(running.map((x: { id: string; status: string }) => [x.id, x.status]), [[inProgress.id, 'running']]);
});
