/** Unit tests of the cell sources the Islo commands insert. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { getBodyLanguage } from '../src/cellLanguage';
import { buildExecMagicLine, buildPanelCellSource } from '../src/cellSources';

describe('buildExecMagicLine', () => {
  it("names the kernel's default sandbox", () => {
    assert.equal(buildExecMagicLine({ loaded: true, defaultSandbox: 'box' }), '%%islo_exec box');
  });

  it('writes a placeholder without a default sandbox or without an answer', () => {
    assert.equal(buildExecMagicLine({ loaded: true, defaultSandbox: null }), '%%islo_exec SANDBOX');
    assert.equal(buildExecMagicLine(null), '%%islo_exec SANDBOX');
  });

  it('makes a cell the highlighter treats as shell', () => {
    assert.equal(getBodyLanguage(`${buildExecMagicLine(null)}\nls`), 'shell');
  });
});

describe('buildPanelCellSource', () => {
  it('is just the panel magic when the extension is loaded', () => {
    assert.equal(buildPanelCellSource({ loaded: true, defaultSandbox: null }), '%islo panel');
  });

  it('loads the extension first when it is not loaded or the kernel did not answer', () => {
    const expected = '%load_ext islo_jupyter\n%islo panel';
    assert.equal(buildPanelCellSource({ loaded: false, defaultSandbox: null }), expected);
    assert.equal(buildPanelCellSource(null), expected);
  });
});
