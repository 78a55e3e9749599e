import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

// scripts/cblas.js (the platform logic of the native build) on faked machines: which files exist and
// what pkg-config answers are given, nothing is read from this one.
interface Found { name: string; via: string; kind: string; includeDirs: string[]; libraries: string[]; ldflags: string[]; problem?: undefined }
interface Missing { problem: string; hint: string }
type PkgConfig = (module: string) => { module: string; cflags: string; libs: string } | undefined;
const { detectCblas } = require(path.resolve(__dirname, '..', '..', '..', 'scripts', 'cblas.js')) as {
  detectCblas(machine: { platform: string; env?: Record<string, string>; exists(p: string): boolean; pkgConfig: PkgConfig }): Found | Missing;
};

const machine = (platform: string, files: string[], pkg: Record<string, [string, string]> = {}, env: Record<string, string> = {}) => ({
  platform,
  env,
  exists: (p: string) => files.includes(p),
  pkgConfig: ((module) => (pkg[module] ? { module, cflags: pkg[module]![0], libs: pkg[module]![1] } : undefined)) as PkgConfig,
});
const found = (r: Found | Missing): Found => {
  assert.equal(r.problem, undefined, r.problem);
  return r as Found;
};

const ACCELERATE = '/System/Library/Frameworks/Accelerate.framework';
const BREW_ARM = '/opt/homebrew/opt/openblas/include/cblas.h';
const BREW_INTEL = '/usr/local/opt/openblas/include/cblas.h';

test('macOS: Accelerate when nothing else is asked for; Homebrew OpenBLAS under either prefix with LS_BENCH_CBLAS=openblas or without Accelerate', () => {
  const acc = found(detectCblas(machine('darwin', [ACCELERATE, BREW_ARM])));
  assert.deepEqual([acc.name, acc.kind, acc.includeDirs], ['Apple Accelerate', 'accelerate', []]);
  assert.match(acc.libraries[0]!, /Accelerate\.framework$/);
  const arm = found(detectCblas(machine('darwin', [ACCELERATE, BREW_ARM], {}, { LS_BENCH_CBLAS: 'openblas' })));
  assert.deepEqual(arm, {
    name: 'OpenBLAS', via: 'Homebrew (/opt/homebrew/opt/openblas)', kind: 'openblas', includeDirs: ['/opt/homebrew/opt/openblas/include'],
    libraries: ['-L/opt/homebrew/opt/openblas/lib', '-lopenblas'], ldflags: ['-Wl,-rpath,/opt/homebrew/opt/openblas/lib'],
  });
  const intel = found(detectCblas(machine('darwin', [BREW_INTEL])));
  assert.equal(intel.via, 'Homebrew (/usr/local/opt/openblas)');
  assert.deepEqual(intel.includeDirs, ['/usr/local/opt/openblas/include']);
  // pkg-config and Linux paths mean nothing on macOS
  const none = detectCblas(machine('darwin', ['/usr/include/cblas.h'], { openblas: ['-I/x', '-lopenblas'] })) as Missing;
  assert.match(none.problem, /no CBLAS found \(looked at \/System\/Library\/Frameworks\/Accelerate.framework, \/opt\/homebrew\/opt\/openblas, \/usr\/local\/opt\/openblas\)/);
  assert.match(none.hint, /xcode-select --install.*brew install openblas/);
});

test('Linux: pkg-config openblas first (with an rpath outside the loader\'s directories), then the usual header paths, then a generic CBLAS', () => {
  const pc = found(detectCblas(machine('linux', ['/usr/include/x86_64-linux-gnu/cblas.h'], {
    openblas: ['-I/usr/include/x86_64-linux-gnu/openblas-pthread/', '-L/usr/lib/x86_64-linux-gnu/openblas-pthread/ -lopenblas'],
  })));
  assert.deepEqual(pc, {
    name: 'OpenBLAS', via: 'pkg-config openblas', kind: 'openblas', includeDirs: ['/usr/include/x86_64-linux-gnu/openblas-pthread'],
    libraries: ['-L/usr/lib/x86_64-linux-gnu/openblas-pthread/', '-lopenblas'], ldflags: ['-Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread'],
  });
  const fedora = found(detectCblas(machine('linux', [], { openblas: ['-I/usr/include/openblas', '-L/usr/lib64 -lopenblas'] })));
  assert.deepEqual(fedora.ldflags, [], 'no rpath for /usr/lib64');
  const debianNoPkgConfig = found(detectCblas(machine('linux', ['/usr/include/x86_64-linux-gnu/cblas.h'])));
  assert.deepEqual([debianNoPkgConfig.via, debianNoPkgConfig.includeDirs, debianNoPkgConfig.libraries], ['/usr/include/x86_64-linux-gnu/cblas.h', ['/usr/include/x86_64-linux-gnu'], ['-lopenblas']]);
  const fedoraPath = found(detectCblas(machine('linux', ['/usr/include/openblas/cblas.h'])));
  assert.equal(fedoraPath.via, '/usr/include/openblas/cblas.h');
  const flexi = found(detectCblas(machine('linux', [], { flexiblas: ['-I/usr/include/flexiblas', '-lflexiblas'] })));
  assert.deepEqual([flexi.name, flexi.kind, flexi.libraries], ['FlexiBLAS', 'cblas', ['-lflexiblas']]);
  const none = detectCblas(machine('linux', [])) as Missing;
  assert.match(none.problem, /^no CBLAS found \(looked at pkg-config openblas\/cblas\/flexiblas, /);
  assert.match(none.hint, /apt-get install libopenblas-dev, dnf install openblas-devel, pacman -S openblas/);
});

test('LS_BENCH_CBLAS picks one kind or says it is not there; an unknown value is named', () => {
  const machineWith = (env: Record<string, string>) => detectCblas(machine('linux', ['/usr/include/cblas.h'], { cblas: ['', '-lcblas'] }, env));
  assert.equal(found(machineWith({ LS_BENCH_CBLAS: 'cblas' })).kind, 'cblas');
  assert.equal(found(machineWith({})).kind, 'openblas');
  assert.match((machineWith({ LS_BENCH_CBLAS: 'accelerate' }) as Missing).problem, /^LS_BENCH_CBLAS=accelerate: not found on this machine$/);
  assert.match((machineWith({ LS_BENCH_CBLAS: 'mkl' }) as Missing).problem, /^LS_BENCH_CBLAS=mkl is not one of openblas, accelerate, cblas$/);
});
