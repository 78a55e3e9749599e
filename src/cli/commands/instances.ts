import { Option, type Command } from 'commander';
import { mayHoldImages, sampleImages, type SampleImages } from '../../data/sampleImages';
import { CliError, ExitCode } from '../../errors';
import { INSTANCE_VIEWS, selectInstances, type InstanceSelection, type InstanceView } from '../../metrics/instances';
import { readRunProbabilities } from '../../store/probabilitiesFile';
import { loadRunDataset } from '../../store/runDataset';
import type { RunRecord } from '../../store/runReader';
import type { RunSummary } from '../../store/runFiles';
import { groupCaption, instancesJson, instancesKey, instancesTabular, renderInstanceCards, type InstancesContext } from '../../text/instancesView';
import { outputWidth, wrapParagraph } from '../../text/layout';
import { renderTabular, type OutputFormat } from '../../text/tabular';
import { writeWithColours, type ThumbnailStyle } from '../../text/thumbnail';
import { timed, type CommandIo } from '../commandIo';
import { addExamples } from '../help';
import { addReadOptions, readOptions, runIdentityJson, toJson } from './common';

export const THUMBNAIL_MODES = ['auto', 'color', 'text', 'none'] as const;
type ThumbnailMode = (typeof THUMBNAIL_MODES)[number];

/** --limit: a whole number of samples, at least one. */
function parseLimit(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`--limit "${text}": expected a whole number of samples, at least 1`);
  return Number(text);
}

/** --class: a class name of the run's data set, or its index. */
function parseClass(text: string, classNames: string[]): number {
  const byName = classNames.indexOf(text);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(text) && Number(text) < classNames.length) return Number(text);
  throw new CliError(`--class "${text}": expected a class of the run's data set, by name or index 0–${classNames.length - 1}: ${classNames.join(', ')}`);
}

/** --arm: the arm compared with the hard arm; by default the first smoothed one. */
function parseArm(text: string | undefined, summary: RunSummary): number {
  if (text === undefined) return 1;
  const index = summary.arms.findIndex((a) => a.label === text);
  if (index < 1) throw new CliError(`--arm "${text}": expected one of the run's smoothed arms: ${summary.arms.slice(1).map((a) => a.label).join(', ')}`);
  return index;
}

/** Whether thumbnails are drawn, and how: colour half blocks on a terminal, shade characters in a pipe or log. */
function thumbnailStyle(mode: ThumbnailMode, io: CommandIo, env: NodeJS.ProcessEnv = process.env): ThumbnailStyle | null {
  if (mode === 'none') return null;
  if (mode !== 'auto') return mode;
  const colour = io.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return colour ? 'color' : 'text';
}

/** The run's test images, when its data is images and thumbnails are asked for (loading the data again, checked by its digest). */
async function testImages(record: RunRecord, summary: RunSummary, mode: ThumbnailMode, io: CommandIo): Promise<SampleImages | null> {
  const notImages = () => new CliError(`--thumbnails ${mode}: run ${record.id}'s data set ${summary.dataset.name} is not images (thumbnails need fashion-mnist, digits or idx: data with 2-D samples)`);
  if (!mayHoldImages(summary.dataset.name)) {
    if (mode === 'auto') return null;
    throw notImages();
  }
  const dataset = await timed(io, `load ${summary.dataset.name} again for the thumbnails`, () =>
    loadRunDataset({ id: record.id, config: record.config!, summary }, '--thumbnails none lists the samples without images'),
  );
  const images = sampleImages(dataset, dataset.test);
  if (!images && mode !== 'auto') throw notImages();
  return images;
}

interface InstancesOutput {
  record: RunRecord;
  summary: RunSummary;
  selection: InstanceSelection;
  ctx: InstancesContext;
}

function renderText({ record, summary, selection, ctx }: InstancesOutput, format: 'table' | 'markdown', width: number | undefined, cards?: { images: SampleImages; style: ThumbnailStyle }): string {
  const title = `run ${record.id}${record.meta?.name ? ` "${record.meta.name}"` : ''}: ${summary.dataset.name}, ${summary.dataset.testSamples} test samples, ${summary.dataset.classes} classes`;
  const parts = [format === 'markdown' ? `### ${title}` : wrapParagraph(title, width)];
  for (const group of selection.groups) {
    const caption = groupCaption(selection, group, ctx);
    if (group.rows.length === 0) {
      parts.push(format === 'markdown' ? caption : wrapParagraph(caption, width));
      continue;
    }
    if (format === 'markdown') parts.push(`**${caption}**\n\n${renderTabular(instancesTabular(selection, group, ctx, format), 'markdown')}`);
    else if (cards) parts.push(`${wrapParagraph(caption, width)}\n\n${renderInstanceCards(selection, group, ctx, (i) => cards.images.image(i), { style: cards.style, ...(width !== undefined ? { width } : {}) })}`);
    else parts.push(`${wrapParagraph(caption, width)}\n${renderTabular(instancesTabular(selection, group, ctx, 'table'), 'table', { width })}`);
  }
  if (selection.groups.some((g) => g.rows.length > 0)) parts.push(format === 'markdown' ? `_${instancesKey(ctx)}_` : wrapParagraph(instancesKey(ctx), width));
  return `${parts.join('\n\n')}\n`;
}

function renderCsv({ selection, ctx }: InstancesOutput): string {
  const tables = selection.groups.map((group) => {
    const table = instancesTabular(selection, group, ctx, 'csv');
    const list = group.arm === null ? selection.view : `${selection.view}:${ctx.arms[group.arm]!.label}`;
    return { ...table, head: ['list', ...table.head], rows: table.rows.map((r) => [list, ...r]), groups: table.groups?.map((g) => ({ ...g, first: g.first + 1 })) };
  });
  const [first, ...rest] = tables;
  return `${renderTabular({ ...first!, rows: [...first!.rows, ...rest.flatMap((t) => t.rows)] }, 'csv')}\n`;
}

export async function instancesCommand(ref: string, parsed: Record<string, unknown>, io: CommandIo): Promise<number> {
  const { store, format } = readOptions(parsed);
  const view = String(parsed.by) as InstanceView;
  const limit = parseLimit(String(parsed.limit));
  const mode = String(parsed.thumbnails) as ThumbnailMode;
  const record = store.readValid(store.resolve(ref));
  const summary = record.summary;
  if (!summary) throw new CliError(`run ${record.id} is ${record.status}: it has no final predictions (probabilities.bin is written when a run completes)`);
  if (summary.arms.length < 2) throw new CliError(`run ${record.id} has one arm: instances compares the hard arm with a smoothed one`);
  const compared = parseArm(parsed.arm === undefined ? undefined : String(parsed.arm), summary);
  const classIndex = parsed.class === undefined ? undefined : parseClass(String(parsed.class), summary.dataset.classNames);
  const stored = readRunProbabilities({ id: record.id, dir: record.dir, summary });
  const selection = selectInstances(stored.arms, stored.labels, stored.classes, { view, limit, compared, ...(classIndex !== undefined ? { classIndex } : {}) });
  const ctx: InstancesContext = { classNames: stored.classNames, arms: summary.arms, compared, ...(classIndex !== undefined ? { classIndex } : {}) };
  const output: InstancesOutput = { record, summary, selection, ctx };
  writeOutput(output, format, await thumbnails(output, format, mode, io), io);
  return ExitCode.ok;
}

/** Thumbnails are for the terminal table of image data; null when they are not drawn. */
async function thumbnails({ record, summary }: InstancesOutput, format: OutputFormat, mode: ThumbnailMode, io: CommandIo) {
  const style = format === 'table' ? thumbnailStyle(mode, io) : null;
  if (!style) return undefined;
  const images = await testImages(record, summary, mode, io);
  return images ? { images, style } : undefined;
}

function writeOutput(output: InstancesOutput, format: OutputFormat, cards: { images: SampleImages; style: ThumbnailStyle } | undefined, io: CommandIo): void {
  if (format === 'json') io.stdout.write(toJson({ ...runIdentityJson(output.record), ...instancesJson(output.selection, output.ctx) }));
  else if (format === 'csv') io.stdout.write(renderCsv(output));
  else writeWithColours(io.stdout, renderText(output, format, format === 'table' ? outputWidth(io.stdout) : undefined, cards));
}

export function configureInstancesCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  command
    .argument('<run>', 'id, unique id prefix, name, or latest')
    .addOption(
      new Option('--by <view>', 'which samples: drop (the true-class probability fell most from hard to smoothed), rise, discordant (right in exactly one arm: McNemar\'s samples), confident-wrong (each arm\'s most confident mistakes)')
        .choices(INSTANCE_VIEWS)
        .default('drop'),
    )
    .option('--limit <n>', 'how many samples (per arm for confident-wrong)', '10')
    .option('--class <name>', 'only test samples of this true class (a class name or index)')
    .option('--arm <label>', 'the smoothed arm compared with hard, in a run with several ε [default: the first smoothed arm]')
    .addOption(
      new Option('--thumbnails <mode>', 'image data in the terminal table: auto (colour half blocks on a terminal, shade characters in a pipe; NO_COLOR turns colour off), color, text or none (the plain table, without loading the data again)')
        .choices(THUMBNAIL_MODES)
        .default('auto'),
    );
  addExamples(addReadOptions(command), [
    ['ls-bench instances latest', 'the 10 test samples whose true-class probability smoothing lowered most, with thumbnails for image data'],
    ['ls-bench instances latest --by confident-wrong --limit 5 --class Shirt', "each arm's 5 most confident mistakes on shirts"],
    ['ls-bench instances latest --by discordant --json', "the samples behind McNemar's counts, as JSON"],
  ]);
  command.action(async (ref: string, parsed: Record<string, unknown>) => setExitCode(await instancesCommand(ref, parsed, io)));
}
