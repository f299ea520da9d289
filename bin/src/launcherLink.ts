// When bin/clysm-check re-ran this CLI on the pinned Node, the CLI leads a process group of its
// own and has an IPC channel to the launcher. If the launcher dies, even by SIGKILL, the channel
// closes: then the CLI takes its whole group down (itself, the Stage 0 and compile_all workers,
// SBCL), which would otherwise run on and write Stage 1 after the user stopped it.

/** Call once at start-up; does nothing when the CLI was started another way. */
export function endWithLauncher(): void {
  const linked = process.env.CLYSM_CHECK_LAUNCHER === 'ipc';
  delete process.env.CLYSM_CHECK_LAUNCHER; // not for the CLI's own children
  if (!linked || !process.connected) return;
  process.on('disconnect', () => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.exit(2); // not a group leader after all: at least this process ends
    }
  });
  // The channel must not keep a finished run alive.
  process.channel?.unref();
}
