/** The sources of the cells the Islo commands insert, from what the kernel told us. */

import { ISLO_EXEC_MAGIC } from './cellLanguage';
import type { IIsloKernelState } from './kernelProbe';

/** Written, and selected for overtyping, when the kernel names no default sandbox. */
export const SANDBOX_PLACEHOLDER = 'SANDBOX';

/** The magic line of a new `%%islo_exec` cell: the kernel's default sandbox, or a placeholder. */
export function buildExecMagicLine(state: IIsloKernelState | null): string {
  return `${ISLO_EXEC_MAGIC} ${state?.defaultSandbox ?? SANDBOX_PLACEHOLDER}`;
}

/** The sandbox-browser cell; it loads the extension first unless the kernel has it. */
export function buildPanelCellSource(state: IIsloKernelState | null): string {
  // No answer counts as not loaded: a second %load_ext only prints a notice.
  return state?.loaded ? '%islo panel' : '%load_ext islo_jupyter\n%islo panel';
}
