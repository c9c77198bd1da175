/**
 * Ask a notebook's kernel, silently, whether the islo magics are loaded and which sandbox
 * `IsloMagics.default_sandbox` names, so commands can write cells that run as they are.
 */

import type { Kernel, KernelMessage } from '@jupyterlab/services';

/** What the kernel told us about its islo magics. */
export interface IIsloKernelState {
  /** Whether `%load_ext islo_jupyter` has run in this kernel. */
  readonly loaded: boolean;
  /** The `IsloMagics.default_sandbox` traitlet, or null when unset. */
  readonly defaultSandbox: string | null;
}

/** How long a busy kernel may keep us waiting before we fall back to a placeholder. */
export const PROBE_TIMEOUT_MS = 2000;

// One expression, evaluated as a user_expression so it leaves no history and no output.
// The magics register under their class name in IPython's magics registry.
export const PROBE_EXPRESSION =
  "(lambda m: '0:' if m is None else '1:' + str(getattr(m, 'default_sandbox', None) or ''))" +
  "(get_ipython().magics_manager.registry.get('IsloMagics'))";

// The repr of the probe's string; names outside this alphabet are not offered as a default.
const PROBE_REPR = /^'([01]):([A-Za-z0-9][A-Za-z0-9._-]*)?'$/;

/** Parse the text/plain repr the probe expression produces; null when it is not one. */
export function parseProbeRepr(repr: string): IIsloKernelState | null {
  const match = PROBE_REPR.exec(repr.trim());
  if (match === null) {
    return null;
  }
  return { loaded: match[1] === '1', defaultSandbox: match[2] ?? null };
}

/** Read the probe's answer out of an execute reply. */
export function readProbeReply(reply: KernelMessage.IExecuteReplyMsg): IIsloKernelState | null {
  if (reply.content.status !== 'ok') {
    return null;
  }
  const result = reply.content.user_expressions['islo'];
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return null;
  }
  const data = result['data'];
  if (
    result['status'] !== 'ok' ||
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data)
  ) {
    return null;
  }
  const text = data['text/plain'];
  return typeof text === 'string' ? parseProbeRepr(text) : null;
}

/**
 * Probe `kernel`; null when there is no kernel, it is not IPython, or it stays busy
 * longer than `timeoutMs`. Never rejects.
 */
export async function probeIsloKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  timeoutMs: number = PROBE_TIMEOUT_MS
): Promise<IIsloKernelState | null> {
  if (!kernel) {
    return null;
  }
  const future = kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { islo: PROBE_EXPRESSION },
    allow_stdin: false
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>(resolve => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([future.done.then(readProbeReply), timeout]);
  } catch {
    // A dead or restarting kernel rejects `done`: the caller falls back, as on a timeout.
    return null;
  } finally {
    clearTimeout(timer);
    if (!future.isDisposed) {
      future.dispose();
    }
  }
}
