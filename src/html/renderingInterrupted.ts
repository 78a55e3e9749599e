/**
 * Rendering a report stopped by a signal (Ctrl-C, SIGTERM): nothing of the report was written. In a module
 * of its own, so that the commands can recognise it without loading the charting libraries.
 */
export class RenderingInterrupted extends Error {
  constructor(readonly reason: unknown) {
    super('interrupted while rendering the report; nothing was written');
    this.name = 'RenderingInterrupted';
  }
}
