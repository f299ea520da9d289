// Makes a child process die with this process, even when this process is killed by SIGKILL,
// which it cannot trap (execa's `cleanup` handles every other way out). On Linux the command is
// started through util-linux's `setpriv --pdeathsig KILL`, which asks the kernel to kill the
// child when its parent dies and then execs the command itself: same process, same exit code
// and signal. Elsewhere, or without setpriv, the command runs as it is.
import { findExecutable } from './findExecutable';

export interface Command {
  command: string;
  args: string[];
}

/** `command` wrapped so that the kernel kills it when this process dies, when the platform allows. */
export function diesWithParent(command: Command, find: (name: string) => string | undefined = findExecutable): Command {
  if (process.platform !== 'linux') return command;
  const setpriv = find('setpriv');
  if (!setpriv) return command;
  return { command: setpriv, args: ['--pdeathsig', 'KILL', '--', command.command, ...command.args] };
}
