import { loadNativeAddon, type NativeAddon } from '../../src/engine/nativeAddon';

/**
 * The native addon for tests, or a reason to skip. CI sets LS_BENCH_REQUIRE_NATIVE=1 (.ci/run), so a
 * missing or broken build fails there instead of silently skipping the native tests.
 */
export function nativeForTests(): { addon?: NativeAddon; skip?: string } {
  const { addon, problem } = loadNativeAddon();
  if (addon) return { addon };
  if (process.env.LS_BENCH_REQUIRE_NATIVE === '1') throw new Error(`LS_BENCH_REQUIRE_NATIVE=1 but ${problem}`);
  return { skip: problem ?? 'native backend unavailable' };
}
