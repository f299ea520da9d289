# Evaluates flake.nix's outputs against small stand-ins for nixpkgs and flake-utils, since
# these machines cannot fetch nixpkgs. It catches misspelt attributes, wrong argument shapes
# and a broken source filter, beyond what `nix-instantiate --parse` sees. It says nothing about
# nixpkgs itself: `nix flake check` where nixpkgs can be fetched does that.
#   nix-instantiate --eval --strict scripts/nix/check-flake.nix
let
  flake = import ../../flake.nix;
  system = "x86_64-linux";
  hasSuffix = suffix: s:
    let n = builtins.stringLength s; k = builtins.stringLength suffix;
    in n >= k && builtins.substring (n - k) k s == suffix;
  pkgs = {
    lib = {
      inherit hasSuffix;
      cleanSourceWith = { src, filter }: { inherit src filter; };
      licenses.mit = "MIT";
    };
    nodejs_24 = "/nix/store/stand-in-nodejs-24";
    wasmtime = "wasmtime";
    wasm-tools = "wasm-tools";
    sbcl.withPackages = f: { lispLibraries = f { alexandria = "alexandria"; babel = "babel"; trivial-gray-streams = "trivial-gray-streams"; }; };
    mkShell = args: args // { kind = "shell"; };
    buildNpmPackage = args: args // { kind = "npm-package"; };
    importNpmLock = { __functor = _: args: { lockOf = args.npmRoot; }; npmConfigHook = "importNpmLock.npmConfigHook"; };
  };
  outputs = flake.outputs {
    self = { };
    nixpkgs = { legacyPackages.${system} = pkgs; };
    flake-utils.lib.eachDefaultSystem = f: builtins.mapAttrs (_: value: { ${system} = value; }) (f system);
  };
  shell = outputs.devShells.${system}.default;
  package = outputs.packages.${system}.default;
  keep = package.src.filter;
in
assert shell.kind == "shell";
assert builtins.elem "wasmtime" shell.packages && builtins.elem "wasm-tools" shell.packages;
assert builtins.elem pkgs.nodejs_24 shell.packages;
assert builtins.any (p: p ? lispLibraries && builtins.length p.lispLibraries == 3) shell.packages;
assert package.kind == "npm-package" && package.pname == "clysm-vscode";
assert package.npmConfigHook == pkgs.importNpmLock.npmConfigHook && package.npmDeps ? lockOf;
assert keep "/src/client" "directory" && keep "/src/package-lock.json" "regular";
assert !(keep "/src/node_modules" "directory") && !(keep "/src/dist" "directory") && !(keep "/src/clysm-vscode-0.1.0.vsix" "regular");
assert builtins.match ".*vsce package --no-dependencies.*" package.buildPhase != null;
{ devShell = builtins.length shell.packages; package = "${package.pname}-${package.version}"; }
