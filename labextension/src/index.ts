/** The islo-jupyter JupyterLab plugins: `%%islo_exec` highlighting and Islo notebook commands. */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import {
  EditorExtensionRegistry,
  IEditorExtensionRegistry,
  IEditorLanguageRegistry
} from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';

import { addCommands } from './commands';
import { IsloExecHighlighter, isNotebookCodeCell } from './highlight';

const highlightPlugin: JupyterFrontEndPlugin<void> = {
  id: 'islo-jupyter:highlight',
  description: 'Highlights the body of %%islo_exec cells as shell (or Python with --python).',
  autoStart: true,
  requires: [IEditorExtensionRegistry, IEditorLanguageRegistry],
  activate: (
    _app: JupyterFrontEnd,
    extensions: IEditorExtensionRegistry,
    languages: IEditorLanguageRegistry
  ): void => {
    const highlighter = new IsloExecHighlighter(languages);
    extensions.addExtension({
      name: 'islo-jupyter:exec-cell-language',
      // Markdown and raw cells, consoles and file editors get nothing from us.
      factory: ({ model }) =>
        isNotebookCodeCell(model)
          ? EditorExtensionRegistry.createImmutableExtension(
              highlighter.createEditorExtension(model)
            )
          : null
    });
  }
};

const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'islo-jupyter:commands',
  description: 'Notebook commands: insert an %%islo_exec cell, open the Islo sandbox browser.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ): void => {
    addCommands(app, tracker, palette);
  }
};

export default [highlightPlugin, commandsPlugin];
