{
  description = "Clysm extension for VS Code: development shell and .vsix package";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        lib = pkgs.lib;
        manifest = builtins.fromJSON (builtins.readFile ./package.json);
        nodejs = pkgs.nodejs_24;
        # SBCL with the libraries Clysm's ASDF system loads (clysm.asd :depends-on).
        sbcl = pkgs.sbcl.withPackages (ps: [ ps.alexandria ps.babel ps.trivial-gray-streams ]);
        # The sources, without build output, installed dependencies or test installs.
        src = lib.cleanSourceWith {
          src = ./.;
          filter = path: type:
            !(builtins.elem (baseNameOf path) [ "node_modules" "dist" "out" ".vscode-test" "test-results" "result" ])
            && !(lib.hasSuffix ".vsix" path);
        };
      in
      {
        # Everything a Clysm developer needs next to the extension: Node 24 (WasmGC without
        # flags), wasmtime >= 37 and wasm-tools (Stage 0 on wasmtime, validation), and SBCL
        # with Clysm's Lisp libraries (the SBCL backend).
        devShells.default = pkgs.mkShell {
          packages = [ nodejs pkgs.wasmtime pkgs.wasm-tools sbcl ];
        };

        # The .vsix, built from package-lock.json (importNpmLock: no separate dependency hash).
        packages.default = pkgs.buildNpmPackage {
          pname = manifest.name;
          version = manifest.version;
          inherit src nodejs;
          npmDeps = pkgs.importNpmLock { npmRoot = src; };
          npmConfigHook = pkgs.importNpmLock.npmConfigHook;
          # No install scripts: the `node` devDependency would fetch a Node binary; nixpkgs gives one.
          npmFlags = [ "--ignore-scripts" ];
          dontNpmBuild = true;
          buildPhase = ''
            runHook preBuild
            ${nodejs}/bin/node esbuild.mjs --production
            ${nodejs}/bin/node node_modules/@vscode/vsce/vsce package --no-dependencies \
              --out ${manifest.name}-${manifest.version}.vsix
            runHook postBuild
          '';
          installPhase = ''
            runHook preInstall
            install -Dm644 ${manifest.name}-${manifest.version}.vsix -t $out
            runHook postInstall
          '';
          meta = {
            description = manifest.description;
            license = lib.licenses.mit;
          };
        };
      });
}
