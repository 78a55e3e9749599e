'use strict';
/**
 * Where the native backend's CBLAS comes from: the platform logic of scripts/build-native.js, in one place
 * and pure (the file system and pkg-config are passed in), so test/scripts/cblas.test.ts can run it on
 * faked macOS and Linux machines.
 *
 * Order: LS_BENCH_CBLAS (openblas | accelerate | cblas) when set; on macOS Apple's Accelerate (always
 * there), else Homebrew's OpenBLAS (/opt/homebrew on Apple silicon, /usr/local on Intel); elsewhere
 * pkg-config's openblas, then OpenBLAS's headers at the paths Debian, Ubuntu, Fedora and Arch use, then
 * pkg-config's cblas or flexiblas (a reference or switchable CBLAS).
 *
 * The answer: { name, via, kind, includeDirs, libraries, ldflags } for binding.gyp, where kind selects
 * blas.c's variant (openblas: its thread and config calls; accelerate; cblas: cblas_sgemm alone), or
 * { problem, hint } when there is none.
 */

const HOMEBREW_PREFIXES = ['/opt/homebrew/opt/openblas', '/usr/local/opt/openblas'];
const ACCELERATE = '/System/Library/Frameworks/Accelerate.framework';
const OPENBLAS_HEADER_DIRS = ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas', '/usr/include', '/usr/local/include'];

/** -I, -L and -l flags of a pkg-config answer, and an rpath for each -L directory outside the loader's usual places. */
function fromPkgConfig(name, flags, kind) {
  const words = `${flags.cflags} ${flags.libs}`.split(/\s+/).filter(Boolean);
  const libDirs = words.filter((w) => w.startsWith('-L')).map((w) => w.slice(2).replace(/\/$/, ''));
  return {
    name,
    via: `pkg-config ${flags.module}`,
    kind,
    includeDirs: words.filter((w) => w.startsWith('-I')).map((w) => w.slice(2).replace(/\/$/, '')),
    libraries: words.filter((w) => w.startsWith('-l') || w.startsWith('-L')),
    ldflags: libDirs.filter((d) => !/^\/(usr\/)?lib(64)?(\/[^/]+-linux-gnu)?$/.test(d)).map((d) => `-Wl,-rpath,${d}`),
  };
}

function homebrewOpenBlas(exists) {
  const prefix = HOMEBREW_PREFIXES.find((p) => exists(`${p}/include/cblas.h`));
  if (!prefix) return undefined;
  return {
    name: 'OpenBLAS',
    via: `Homebrew (${prefix})`,
    kind: 'openblas',
    includeDirs: [`${prefix}/include`],
    libraries: [`-L${prefix}/lib`, '-lopenblas'],
    ldflags: [`-Wl,-rpath,${prefix}/lib`],
  };
}

function accelerate(exists) {
  if (!exists(ACCELERATE)) return undefined;
  // gyp links a framework given as its path
  return { name: 'Apple Accelerate', via: ACCELERATE, kind: 'accelerate', includeDirs: [], libraries: ['$(SDKROOT)/System/Library/Frameworks/Accelerate.framework'], ldflags: [] };
}

function linuxOpenBlas(exists, pkgConfig) {
  const pc = pkgConfig('openblas');
  if (pc) return fromPkgConfig('OpenBLAS', pc, 'openblas');
  const dir = OPENBLAS_HEADER_DIRS.find((d) => exists(`${d}/cblas.h`));
  if (!dir) return undefined;
  return { name: 'OpenBLAS', via: `${dir}/cblas.h`, kind: 'openblas', includeDirs: [dir], libraries: ['-lopenblas'], ldflags: [] };
}

function genericCblas(pkgConfig) {
  for (const module of ['cblas', 'flexiblas']) {
    const pc = pkgConfig(module);
    if (pc) return fromPkgConfig(module === 'flexiblas' ? 'FlexiBLAS' : 'CBLAS', pc, 'cblas');
  }
  return undefined;
}

function hint(platform) {
  if (platform === 'darwin') return 'Accelerate comes with macOS (Xcode command line tools: xcode-select --install); or brew install openblas';
  return 'install OpenBLAS (apt-get install libopenblas-dev, dnf install openblas-devel, pacman -S openblas) and pkg-config';
}

/**
 * The CBLAS to build against. `machine`: { platform, env, exists(path) → boolean, pkgConfig(module) →
 * { module, cflags, libs } | undefined }.
 */
function detectCblas(machine) {
  const { platform, env = {}, exists, pkgConfig } = machine;
  const choice = env.LS_BENCH_CBLAS;
  const finders = {
    openblas: () => (platform === 'darwin' ? homebrewOpenBlas(exists) : linuxOpenBlas(exists, pkgConfig)),
    accelerate: () => (platform === 'darwin' ? accelerate(exists) : undefined),
    cblas: () => genericCblas(pkgConfig),
  };
  if (choice) {
    if (!finders[choice]) return { problem: `LS_BENCH_CBLAS=${choice} is not one of openblas, accelerate, cblas`, hint: hint(platform) };
    return finders[choice]() ?? { problem: `LS_BENCH_CBLAS=${choice}: not found on this machine`, hint: hint(platform) };
  }
  const order = platform === 'darwin' ? ['accelerate', 'openblas'] : ['openblas', 'cblas'];
  for (const kind of order) {
    const found = finders[kind]();
    if (found) return found;
  }
  const looked = platform === 'darwin' ? `${ACCELERATE}, ${HOMEBREW_PREFIXES.join(', ')}` : `pkg-config openblas/cblas/flexiblas, ${OPENBLAS_HEADER_DIRS.map((d) => `${d}/cblas.h`).join(', ')}`;
  return { problem: `no CBLAS found (looked at ${looked})`, hint: hint(platform) };
}

/** pkg-config's answer for a module on this machine, or undefined (no pkg-config, or no such module). */
function pkgConfigOf(spawnSync) {
  return (module) => {
    const run = (flag) => spawnSync('pkg-config', [flag, module], { encoding: 'utf8' });
    const cflags = run('--cflags');
    if (cflags.error || cflags.status !== 0) return undefined;
    const libs = run('--libs');
    if (libs.status !== 0) return undefined;
    return { module, cflags: cflags.stdout.trim(), libs: libs.stdout.trim() };
  };
}

module.exports = { detectCblas, pkgConfigOf, HOMEBREW_PREFIXES, ACCELERATE };
