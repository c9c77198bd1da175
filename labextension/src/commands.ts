/** The Islo notebook commands: insert an `%%islo_exec` cell, open the sandbox browser. */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

import { ISLO_EXEC_MAGIC } from './cellLanguage';
import { buildExecMagicLine, buildPanelCellSource } from './cellSources';
import { probeIsloKernel } from './kernelProbe';

/** Every command id of the extension, in one namespace. */
export namespace CommandIDs {
  export const insertExecCell = 'islo-jupyter:insert-exec-cell';
  export const openSandboxBrowser = 'islo-jupyter:open-sandbox-browser';
}

const PALETTE_CATEGORY = 'Islo';
// Context-menu ranks: after the notebook's own cell items.
const CONTEXT_MENU_RANK = 60;

/** Insert a cell below the active one holding `source`; resolves once its editor exists. */
async function insertCellBelow(panel: NotebookPanel, source: string): Promise<Cell | null> {
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  const cell = notebook.activeCell;
  if (cell === null) {
    return null;
  }
  cell.model.sharedModel.setSource(source);
  await cell.ready;
  return cell;
}

async function insertExecCell(panel: NotebookPanel): Promise<void> {
  const state = await probeIsloKernel(panel.sessionContext.session?.kernel);
  const magicLine = buildExecMagicLine(state);
  const editor = (await insertCellBelow(panel, `${magicLine}\n`))?.editor;
  if (!editor) {
    return;
  }
  panel.content.mode = 'edit';
  if (state?.defaultSandbox) {
    editor.setCursorPosition({ line: 1, column: 0 });
  } else {
    // Select the placeholder so that typing the sandbox name replaces it.
    editor.setSelection({
      start: { line: 0, column: ISLO_EXEC_MAGIC.length + 1 },
      end: { line: 0, column: magicLine.length }
    });
  }
  editor.focus();
}

async function openSandboxBrowser(panel: NotebookPanel): Promise<void> {
  const state = await probeIsloKernel(panel.sessionContext.session?.kernel);
  await insertCellBelow(panel, buildPanelCellSource(state));
  await NotebookActions.run(panel.content, panel.sessionContext);
}

/** Register the commands, their palette entries and notebook context-menu items. */
export function addCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  palette: ICommandPalette | null
): void {
  const isEnabled = (): boolean =>
    tracker.currentWidget !== null && tracker.currentWidget === app.shell.currentWidget;
  // Commands resolve their promise, so callers (palette, tests) can await them; failures
  // are logged rather than thrown into the command registry.
  const runOnCurrent = (action: (panel: NotebookPanel) => Promise<void>) => async () => {
    const panel = tracker.currentWidget;
    if (panel === null) {
      return;
    }
    try {
      await action(panel);
    } catch (reason: unknown) {
      console.error('islo-jupyter: command failed', reason);
    }
  };

  app.commands.addCommand(CommandIDs.insertExecCell, {
    label: 'Insert Islo exec cell',
    caption: 'Insert a %%islo_exec cell below, for shell commands in a sandbox',
    isEnabled,
    execute: runOnCurrent(insertExecCell)
  });
  app.commands.addCommand(CommandIDs.openSandboxBrowser, {
    label: 'Open Islo sandbox browser',
    caption: 'Insert and run a %islo panel cell below',
    isEnabled,
    execute: runOnCurrent(openSandboxBrowser)
  });

  [CommandIDs.insertExecCell, CommandIDs.openSandboxBrowser].forEach((command, index) => {
    palette?.addItem({ command, category: PALETTE_CATEGORY });
    app.contextMenu.addItem({
      command,
      selector: '.jp-Notebook',
      rank: CONTEXT_MENU_RANK + index
    });
  });
}
