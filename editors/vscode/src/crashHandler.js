'use strict';
// What to do when the language server dies, free of the `vscode` module so it can be unit tested.
// Like vscode-languageclient's default handler it restarts the server up to `maxRestarts` times in
// 3 minutes, then gives up; giving up is left to `onGiveUp`, which offers a restart instead of the
// default's "see the output" notification (the user then had to find the command themselves).

const WINDOW_MS = 3 * 60 * 1000;

/**
 * @param {{ErrorAction: {Continue: number, Shutdown: number}, CloseAction: {Restart: number, DoNotRestart: number},
 *          onGiveUp: (message: string) => void, maxRestarts?: number, now?: () => number}} deps
 */
function makeCrashHandler({ ErrorAction, CloseAction, onGiveUp, maxRestarts = 4, now = Date.now }) {
  const restarts = [];
  return {
    // A broken message (not a crash): carry on for the first few, as the default handler does.
    error: (_error, _message, count) => ({ action: count && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
    closed: () => {
      restarts.push(now());
      if (restarts.length > maxRestarts + 1) restarts.shift();
      if (restarts.length <= maxRestarts || restarts[restarts.length - 1] - restarts[0] > WINDOW_MS) {
        return { action: CloseAction.Restart };
      }
      restarts.length = 0; // a restart by hand starts the count again
      const message =
        `tabguard: the language server stopped ${maxRestarts + 1} times in 3 minutes and was not restarted. ` +
        'Its output (Output > tabguard) says why.';
      onGiveUp(message);
      return { action: CloseAction.DoNotRestart, message, handled: true };
    },
  };
}

module.exports = { makeCrashHandler };
