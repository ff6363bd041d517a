/**
 * Ctrl-C (or SIGTERM) handling for commands that run a suite: the first signal stops dispatch and
 * lets calls in flight finish (`stop`), the second aborts them (`hard`). `dispose` removes the
 * handlers once the run is over.
 */
export function stopOnSignals(stderr: NodeJS.WritableStream): {
  stop: AbortController;
  hard: AbortController;
  dispose(): void;
} {
  const stop = new AbortController();
  const hard = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      stderr.write('\nstopping: finishing calls in flight (Ctrl-C again to abort them)\n');
      stop.abort();
    } else hard.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop,
    hard,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
