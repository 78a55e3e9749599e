/**
 * Colours of the report. Arms take the Okabe–Ito palette (Okabe & Ito, 2008), chosen to stay
 * distinguishable under the common forms of colour blindness; the hard arm is always the blue and the
 * first smoothed arm the vermillion, so a reader learns them once and every chart agrees.
 */
export const OKABE_ITO_ARM_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

/** The colour of each arm, by position in the run (hard first), cycling past eight arms. */
export function armColours(armCount: number): string[] {
  return Array.from({ length: armCount }, (_, i) => OKABE_ITO_ARM_COLOURS[i % OKABE_ITO_ARM_COLOURS.length]!);
}
