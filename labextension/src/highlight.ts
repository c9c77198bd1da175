/**
 * Shell (or Python) highlighting of `%%islo_exec` bodies in IPython notebook code cells,
 * as a CodeMirror 6 extension built from JupyterLab's own IPython and shell languages.
 */

import { Language, LanguageSupport, LRLanguage, syntaxHighlighting } from '@codemirror/language';
import { Compartment, Extension, Prec } from '@codemirror/state';
import { EditorView, ViewPlugin } from '@codemirror/view';
import { CodeEditor } from '@jupyterlab/codeeditor';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { Input, parseMixed, Parser } from '@lezer/common';
import { classHighlighter } from '@lezer/highlight';

import { BodyLanguage, findIsloExecBody } from './cellLanguage';

/** The mime type JupyterLab gives code cells of IPython kernels. */
export const IPYTHON_MIME = 'text/x-ipython';
const SHELL_MIME = 'text/x-sh';

// One shared empty extension, so that "unchanged" is an identity check.
const NO_EXTENSION: Extension = [];
// Read the cell head in chunks: the magic line is short, the cell may not be.
const HEAD_CHUNK = 512;

/** Read `input` from its start up to and including the first non-blank line's break. */
function readHead(input: Input): string {
  for (let end = Math.min(HEAD_CHUNK, input.length); ; end = Math.min(end * 2, input.length)) {
    const head = input.read(0, end);
    // A break at the very end of a partial read may be the `\r` of a `\r\n`: read on.
    const firstLine = /\S[^\r\n]*(\r\n|\r|\n)/.exec(head);
    if (end === input.length || (firstLine && firstLine.index + firstLine[0].length < end)) {
      return head;
    }
  }
}

/**
 * Wrap the IPython language so that an `%%islo_exec` cell's body is parsed by the body's
 * own parser, mounted as an overlay: the magic line keeps IPython's tokens.
 */
export function buildIsloExecLanguage(
  ipython: LRLanguage,
  bodyParsers: Readonly<Record<BodyLanguage, Parser>>
): LRLanguage {
  const wrap = parseMixed((node, input) => {
    if (!node.type.isTop) {
      return null;
    }
    const body = findIsloExecBody(readHead(input));
    if (body === null || body.from >= input.length) {
      return null;
    }
    return {
      parser: bodyParsers[body.language],
      overlay: [{ from: body.from, to: input.length }]
    };
  });
  return ipython.configure({ wrap }, 'ipython-islo-exec');
}

/** True for the editor model of a code cell that lives in a notebook (not a console). */
export function isNotebookCodeCell(model: CodeEditor.IModel): boolean {
  const shared: object = model.sharedModel;
  return (
    'cell_type' in shared &&
    shared.cell_type === 'code' &&
    'notebook' in shared &&
    shared.notebook !== null &&
    shared.notebook !== undefined
  );
}

/**
 * Loads the languages once and hands every notebook code cell editor an extension that
 * switches the `%%islo_exec`-aware language on while the cell's mime type is IPython.
 */
export class IsloExecHighlighter {
  constructor(languages: IEditorLanguageRegistry) {
    this.ready = this.load(languages).catch((reason: unknown) => {
      console.error('islo-jupyter: loading the IPython and shell languages failed', reason);
      return false;
    });
  }

  /** Resolves once the languages are loaded (false if JupyterLab lacks one). */
  readonly ready: Promise<boolean>;

  /** The per-editor extension for the code cell editing `model`. */
  createEditorExtension(model: CodeEditor.IModel): Extension {
    const compartment = new Compartment();
    const chooseExtension = (): Extension =>
      this.support !== null && model.mimeType === IPYTHON_MIME ? this.support : NO_EXTENSION;
    // Languages have the highest precedence so ours wins over the editor's own IPython one.
    return [
      Prec.highest(compartment.of(chooseExtension())),
      ViewPlugin.define(
        view => new LanguageSwitch(view, model, compartment, chooseExtension, this.ready)
      )
    ];
  }

  private async load(languages: IEditorLanguageRegistry): Promise<boolean> {
    const [ipython, shell] = await Promise.all([
      languages.getLanguage(IPYTHON_MIME),
      languages.getLanguage(SHELL_MIME)
    ]);
    const base = ipython?.support?.language;
    const shellLanguage: Language | undefined = shell?.support?.language;
    if (!(base instanceof LRLanguage) || shellLanguage === undefined) {
      console.warn('islo-jupyter: IPython or shell language missing; no %%islo_exec highlighting');
      return false;
    }
    const language = buildIsloExecLanguage(base, {
      shell: shellLanguage.parser,
      // The plain parser, not the wrapped one: the body must not look for the magic again.
      python: base.parser
    });
    // tok-* classes (no styles of their own) name the token kinds for tests and themes.
    this.support = new LanguageSupport(language, syntaxHighlighting(classHighlighter));
    return true;
  }

  private support: LanguageSupport | null = null;
}

/** Keeps one editor's compartment in step with its model's mime type. */
class LanguageSwitch {
  constructor(
    private readonly view: EditorView,
    private readonly model: CodeEditor.IModel,
    private readonly compartment: Compartment,
    private readonly chooseExtension: () => Extension,
    ready: Promise<boolean>
  ) {
    this.current = compartment.get(view.state) ?? NO_EXTENSION;
    model.mimeTypeChanged.connect(this.sync);
    // Editors created before the languages loaded switch over as soon as they are.
    ready.then(
      () => this.sync(),
      (reason: unknown) => console.error('islo-jupyter: loading languages failed', reason)
    );
  }

  destroy(): void {
    this.destroyed = true;
    this.model.mimeTypeChanged.disconnect(this.sync);
  }

  // An arrow property, so the signal connection keeps `this`.
  private readonly sync = (): void => {
    const wanted = this.chooseExtension();
    if (this.destroyed || wanted === this.current) {
      return;
    }
    this.current = wanted;
    this.view.dispatch({ effects: this.compartment.reconfigure(wanted) });
  };

  private current: Extension;
  private destroyed = false;
}
