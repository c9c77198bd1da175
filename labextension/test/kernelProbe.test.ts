/** Unit tests of reading the kernel's answer about the islo magics. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { KernelMessage } from '@jupyterlab/services';

import { parseProbeRepr, readProbeReply } from '../src/kernelProbe';

function buildReply(content: Record<string, unknown>): KernelMessage.IExecuteReplyMsg {
  return { content } as unknown as KernelMessage.IExecuteReplyMsg;
}

describe('parseProbeRepr', () => {
  it('reads a loaded extension with a default sandbox', () => {
    assert.deepEqual(parseProbeRepr("'1:my-box.v2'"), {
      loaded: true,
      defaultSandbox: 'my-box.v2'
    });
  });

  it('reads a loaded extension without a default sandbox', () => {
    assert.deepEqual(parseProbeRepr("'1:'"), { loaded: true, defaultSandbox: null });
  });

  it('reads a kernel where the extension is not loaded', () => {
    assert.deepEqual(parseProbeRepr("'0:'"), { loaded: false, defaultSandbox: null });
  });

  it('refuses names that would need quoting in the magic line', () => {
    assert.equal(parseProbeRepr('"1:it\'s"'), null);
    assert.equal(parseProbeRepr("'1:a b'"), null);
    assert.equal(parseProbeRepr("'1:-rf'"), null);
  });

  it('refuses anything else', () => {
    assert.equal(parseProbeRepr('None'), null);
    assert.equal(parseProbeRepr(''), null);
  });
});

describe('readProbeReply', () => {
  it('takes text/plain of the islo user expression', () => {
    const reply = buildReply({
      status: 'ok',
      user_expressions: { islo: { status: 'ok', data: { 'text/plain': "'1:box'" }, metadata: {} } }
    });
    assert.deepEqual(readProbeReply(reply), { loaded: true, defaultSandbox: 'box' });
  });

  it('is null when the expression failed (not an IPython kernel)', () => {
    const reply = buildReply({
      status: 'ok',
      user_expressions: { islo: { status: 'error', ename: 'NameError', evalue: '', traceback: [] } }
    });
    assert.equal(readProbeReply(reply), null);
  });

  it('is null when the execute request itself failed', () => {
    assert.equal(readProbeReply(buildReply({ status: 'error', user_expressions: {} })), null);
  });
});
