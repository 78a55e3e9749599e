import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The configs shipped in the package's configs/ folder, reachable by name from any directory:
 * `--config fashion-mnist` reads configs/fashion-mnist.yaml of the installed ls-bench when there is no
 * file of that name where the user is.
 */

/** configs/ of this installation (dist/src/config/ → the package root). */
export const SHIPPED_CONFIGS_DIR = path.resolve(__dirname, '..', '..', '..', 'configs');

const EXTENSIONS = ['.yaml', '.yml', '.json'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface ShippedConfig {
  name: string;
  file: string;
  /** The comment at the top of the file, as one paragraph. */
  description: string;
  /** Whether it has a `sweep:` section (for `ls-bench sweep`). */
  sweep: boolean;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The shipped config a bare name (with or without its extension) stands for, or null. */
export function shippedConfigFile(name: string, dir = SHIPPED_CONFIGS_DIR): string | null {
  if (!NAME.test(name)) return null;
  const base = EXTENSIONS.includes(path.extname(name).toLowerCase()) ? name.slice(0, -path.extname(name).length) : name;
  for (const ext of EXTENSIONS) {
    const file = path.join(dir, `${base}${ext}`);
    if (isFile(file)) return file;
  }
  return null;
}

/** What --config names: the file itself when it exists, else the shipped config of that name, else the text as given (reading it then fails, naming it). */
export function locateConfigFile(ref: string, dir = SHIPPED_CONFIGS_DIR): string {
  if (existsSync(ref)) return ref;
  return shippedConfigFile(ref, dir) ?? ref;
}

export function shippedConfigs(dir = SHIPPED_CONFIGS_DIR): ShippedConfig[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => EXTENSIONS.includes(path.extname(n).toLowerCase()) && NAME.test(n))
    .map((n) => {
      const file = path.join(dir, n);
      const text = readFileSync(file, 'utf8');
      const comment: string[] = [];
      for (const line of text.split('\n')) {
        if (!line.startsWith('#')) break;
        comment.push(line.replace(/^#\s?/, '').trim());
      }
      return { name: n.slice(0, -path.extname(n).length), file, description: comment.join(' ').trim(), sweep: /^sweep:/m.test(text) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
