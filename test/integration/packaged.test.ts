// The extension as users get it: its manifest (icon, walkthrough, settings, trust) and, in the
// packaged pass (CLYSM_TEST_PACKAGED=1, scripts/run-integration.mjs --packaged), that VS Code runs
// the copy installed from the .vsix with `--install-extension`, holding only the allow-listed files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXT_ID } from './viewHelpers';

interface Manifest {
  icon?: string;
  repository?: { url?: string };
  categories?: string[];
  keywords?: string[];
  engines?: { vscode?: string };
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; description?: string } };
  contributes?: {
    walkthroughs?: Array<{ id: string; steps: Array<{ id: string; media: { markdown?: string } }> }>;
    configuration?: { properties?: Record<string, { default?: unknown; enum?: string[] }> };
  };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXT_ID);
  assert.ok(ext, `${EXT_ID} is installed`);
  return ext;
}

suite('The extension as users get it', () => {
  test('the manifest names an icon, a repository, categories, keywords, limited trust and VS Code ≥ 1.103', () => {
    const ext = extension();
    const manifest = ext.packageJSON as Manifest;
    assert.equal(manifest.icon, 'media/icon.png');
    const icon = fs.readFileSync(path.join(ext.extensionPath, 'media', 'icon.png'));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    assert.match(manifest.repository?.url ?? '', /^https:\/\//);
    assert.ok((manifest.categories ?? []).length > 0 && (manifest.keywords ?? []).includes('clysm'));
    assert.equal(manifest.engines?.vscode, '^1.103.0');
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.match(manifest.capabilities?.untrustedWorkspaces?.description ?? '', /runs nothing/);
  });

  test('the walkthrough takes a new user from opening Clysm to the first blocker, and opens', async () => {
    const ext = extension();
    const walkthrough = (ext.packageJSON as Manifest).contributes?.walkthroughs?.find((w) => w.id === 'clysm.gettingStarted');
    assert.ok(walkthrough);
    assert.deepEqual(walkthrough.steps.map((s) => s.id.replace('clysm.walkthrough.', '')), ['open', 'backend', 'status', 'diagnostics', 'blockers']);
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(path.join(ext.extensionPath, step.media.markdown ?? '-')), `${step.media.markdown} is in the package`);
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXT_ID}#clysm.gettingStarted`, false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the engine settings are contributed', () => {
    const properties = (extension().packageJSON as Manifest).contributes?.configuration?.properties ?? {};
    assert.deepEqual(properties['clysm.stage0.engine']?.enum, ['embedded', 'wasmtime']);
    assert.equal(properties['clysm.stage0.engine']?.default, 'embedded');
    assert.equal(properties['clysm.wasmtime.path']?.default, 'wasmtime');
  });

  // Registered only in the packaged pass: the default pass runs the development folder.
  const packagedOnly = process.env.CLYSM_TEST_PACKAGED === '1' ? test : () => undefined;
  packagedOnly('in the packaged pass, VS Code runs the copy installed from the .vsix, which holds only the allow-listed files', function () {
    const ext = extension();
    assert.ok(ext.isActive);
    // Installed by code-server --install-extension into its extensions folder, as <publisher>.<name>-<version>.
    assert.match(path.basename(ext.extensionPath), /^clysm-tools\.clysm-vscode-\d+\.\d+\.\d+$/);
    assert.ok(!fs.existsSync(path.join(ext.extensionPath, 'esbuild.mjs')), 'not the development folder');
    const top = fs.readdirSync(ext.extensionPath).sort();
    for (const absent of ['node_modules', 'client', 'server', 'test', 'out', 'scripts', 'examples', 'docs', 'bin']) {
      assert.ok(!top.includes(absent), `${absent} must not be packaged (found: ${top.join(', ')})`);
    }
    const dist = fs.readdirSync(path.join(ext.extensionPath, 'dist')).sort();
    assert.deepEqual(dist.filter((f) => f.endsWith('.js')), ['extension.js', 'server.js', 'stage0-worker.js']);
    assert.ok(!dist.some((f) => f.endsWith('.map')), 'production bundles have no source maps');
    for (const lisp of ['driver.lisp', 'json.lisp']) assert.ok(fs.existsSync(path.join(ext.extensionPath, 'dist', 'lisp', lisp)), lisp);
  });
});
