// The one rule for clysm-check's cache folder, on every platform, and the --cache/--no-cache options.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCheckArgs } from '../../bin/src/args';
import { coresFolder, defaultCacheFolder } from '../../bin/src/cacheFolder';

describe('clysm-check cache folder', () => {
  it('uses an absolute XDG_CACHE_HOME on Linux, else ~/.cache', () => {
    assert.equal(defaultCacheFolder({ platform: 'linux', env: { XDG_CACHE_HOME: '/xdg/cache' }, home: '/home/u' }), '/xdg/cache/clysm-check');
    assert.equal(defaultCacheFolder({ platform: 'linux', env: {}, home: '/home/u' }), '/home/u/.cache/clysm-check');
    // The XDG spec: a relative or empty value is ignored.
    assert.equal(defaultCacheFolder({ platform: 'linux', env: { XDG_CACHE_HOME: 'rel/cache' }, home: '/home/u' }), '/home/u/.cache/clysm-check');
    assert.equal(defaultCacheFolder({ platform: 'freebsd', env: { XDG_CACHE_HOME: '' }, home: '/home/u' }), '/home/u/.cache/clysm-check');
  });

  it('uses ~/Library/Caches on macOS, whatever XDG_CACHE_HOME says', () => {
    assert.equal(defaultCacheFolder({ platform: 'darwin', env: { XDG_CACHE_HOME: '/xdg' }, home: '/Users/u' }), '/Users/u/Library/Caches/clysm-check');
  });

  it('uses %LOCALAPPDATA% on Windows, else AppData\\Local under the home folder', () => {
    assert.equal(defaultCacheFolder({ platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, home: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Local\\clysm-check');
    assert.equal(defaultCacheFolder({ platform: 'win32', env: {}, home: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Local\\clysm-check');
  });

  it('keeps saved cores in cores/ of the cache folder', () => {
    assert.equal(coresFolder('/c/clysm-check'), path.join('/c/clysm-check', 'cores'));
  });

  it('parses --cache DIR and --no-cache, and refuses both together', () => {
    assert.equal(parseCheckArgs(['--cache', 'c'], '/d').cacheDir, path.resolve('c'));
    assert.equal(parseCheckArgs(['--no-cache'], '/d').noCache, true);
    const neither = parseCheckArgs([], '/d');
    assert.equal(neither.cacheDir, undefined);
    assert.equal(neither.noCache, undefined);
    assert.throws(() => parseCheckArgs(['--cache', 'c', '--no-cache'], '/d'), /--cache and --no-cache cannot be used together/);
  });
});
