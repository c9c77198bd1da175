/** Unit tests of the pure rule that decides the language of an `%%islo_exec` cell body. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findIsloExecBody, getBodyLanguage } from '../src/cellLanguage';

describe('getBodyLanguage', () => {
  it('is shell for a plain %%islo_exec cell', () => {
    assert.equal(getBodyLanguage('%%islo_exec my-sandbox\nls -la\n'), 'shell');
  });

  it('is shell without a sandbox name (the default sandbox)', () => {
    assert.equal(getBodyLanguage('%%islo_exec\necho hi'), 'shell');
  });

  it('is python with --python after the sandbox name', () => {
    assert.equal(getBodyLanguage('%%islo_exec box --python\nprint(1)'), 'python');
  });

  it('is python with --python before the sandbox name', () => {
    assert.equal(getBodyLanguage('%%islo_exec --python box\nprint(1)'), 'python');
  });

  it('is python with an abbreviated --py, as argparse allows', () => {
    assert.equal(getBodyLanguage('%%islo_exec box --py\nprint(1)'), 'python');
  });

  it('stays shell with other options around the sandbox name', () => {
    assert.equal(getBodyLanguage('%%islo_exec -w /tmp box --timeout 30 -q\npwd'), 'shell');
  });

  it('does not take --pythonpath-like words for --python', () => {
    assert.equal(getBodyLanguage('%%islo_exec box --pythonic\nls'), 'shell');
  });

  it('skips leading blank and whitespace-only lines', () => {
    assert.equal(getBodyLanguage('\n  \n\t\n%%islo_exec box\nls'), 'shell');
  });

  it('accepts an indented magic line, as IPython strips common indentation', () => {
    assert.equal(getBodyLanguage('    %%islo_exec box --python\n    print(1)'), 'python');
  });

  it('handles Windows line breaks', () => {
    assert.equal(getBodyLanguage('\r\n%%islo_exec box\r\nls'), 'shell');
  });

  it('is null for a cell that mentions the magic only later', () => {
    assert.equal(getBodyLanguage('x = 1\n%%islo_exec box\nls'), null);
  });

  it('is null for the magic inside a comment or a string', () => {
    assert.equal(getBodyLanguage('# %%islo_exec box\nls'), null);
    assert.equal(getBodyLanguage('"%%islo_exec box"'), null);
  });

  it('is null for another magic that merely starts with the same letters', () => {
    assert.equal(getBodyLanguage('%%islo_execute box\nls'), null);
  });

  it('is null for the line magic and for other cell magics', () => {
    assert.equal(getBodyLanguage('%islo exec box ls'), null);
    assert.equal(getBodyLanguage('%%bash\nls'), null);
  });

  it('is null for empty and blank cells', () => {
    assert.equal(getBodyLanguage(''), null);
    assert.equal(getBodyLanguage(' \n\n  '), null);
  });
});

describe('findIsloExecBody', () => {
  it('starts the body after the magic line break', () => {
    const text = '\n%%islo_exec box\nls\n';
    assert.deepEqual(findIsloExecBody(text), { language: 'shell', from: text.indexOf('ls') });
  });

  it('counts both characters of a CRLF line break', () => {
    const text = '%%islo_exec box\r\necho';
    assert.equal(findIsloExecBody(text)?.from, text.indexOf('echo'));
  });

  it('gives an empty body at the end of a magic-only cell', () => {
    const text = '%%islo_exec box';
    assert.deepEqual(findIsloExecBody(text), { language: 'shell', from: text.length });
  });

  it('gives the same answer on a second call (no state kept between calls)', () => {
    const text = 'print(1)\n%%islo_exec';
    assert.equal(findIsloExecBody(text), null);
    assert.equal(findIsloExecBody('%%islo_exec\nls')?.from, 12);
  });
});
