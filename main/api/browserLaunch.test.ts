import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { forwardingPage, openInBrowserPrivately } from './browserLaunch.ts';

const URL_WITH_TOKEN = 'http://127.0.0.1:41234/#token=SECRET_TOKEN_abc-123';

test('--open hands the browser a private file, never the token in process arguments (issue #17, finding 7)', (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'facet-open-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    const launched: Array<[string, string[]]> = [];
    const opened = openInBrowserPrivately(URL_WITH_TOKEN, () => assert.fail('no error expected'), {
      platform, tmpDir: tmp, launcher: (command, args) => launched.push([command, args]),
    });
    t.after(() => opened.remove());
    assert.equal(launched.length, 1);
    const argv = launched[0]!.flat().join(' ');
    assert.doesNotMatch(argv, /SECRET_TOKEN/u, `${platform}: the token is not in the arguments: ${argv}`);
    assert.match(argv, /open-facet\.html/u);
    if (process.platform !== 'win32') {
      assert.equal(statSync(opened.file).mode & 0o777, 0o600, 'the page is readable by its owner only');
      assert.equal(statSync(path.dirname(opened.file)).mode & 0o777, 0o700, 'in a folder only its owner may enter');
    }
    assert.ok(readFileSync(opened.file, 'utf8').includes(URL_WITH_TOKEN));
    opened.remove();
    assert.equal(existsSync(opened.file), false);
  }
});

test('the forwarding page escapes the address for the script and the attribute', () => {
  const page = forwardingPage('http://127.0.0.1:1/#token="</script><img src=x onerror=alert(1)>&');
  assert.doesNotMatch(page, /<\/script><img/u);
  assert.match(page, /&quot;&lt;\/script>/u);
  assert.match(page, /location\.replace\("http:\/\/127\.0\.0\.1:1\/#token=\\"\\u003c\/script>/u);
});
