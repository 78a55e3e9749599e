import path from 'node:path';

/**
 * How the user ran ls-bench, so that the commands ls-bench suggests (the Ctrl-C hint's `--resume`) run as
 * they are printed: `npx ls-bench` under npx or `npm exec`; `ls-bench` when it was found on PATH (after
 * `npm link` or `npm install -g`); otherwise node and the script's path as given.
 */
export function invocationOf(options: { script: string | undefined; env: NodeJS.ProcessEnv; cwd: string }): string {
  const { script, env, cwd } = options;
  if (env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx') return 'npx ls-bench';
  if (!script) return 'ls-bench';
  const onPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(cwd, d));
  if (path.basename(script) === 'ls-bench' && onPath.includes(path.dirname(path.resolve(cwd, script)))) return 'ls-bench';
  const relative = path.relative(cwd, script);
  const shown = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : script;
  // a command word without a "/" is looked up on PATH: a script run by its path needs one
  if (path.basename(script) === 'ls-bench') return shown.includes('/') ? shown : `./${shown}`;
  return `node ${shown}`;
}

/** The invocation of this process. */
export function currentInvocation(): string {
  return invocationOf({ script: process.argv[1], env: process.env, cwd: process.cwd() });
}
