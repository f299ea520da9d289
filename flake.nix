{
  description = "Clysm extension for VS Code: development shell and .vsix package";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs { inherit system; };
      in
      {
        # Everything a Clysm developer needs next to the extension: Node 24 (WasmGC),
        # wasmtime and wasm-tools (Stage 0 on wasmtime, validation), SBCL and the Lisp
        # libraries Clysm loads.
        devShells.default = pkgs.mkShell {
          packages = [
            pkgs.nodejs_24
            pkgs.wasmtime
            pkgs.wasm-tools
            (pkgs.sbcl.withPackages (ps: [ ps.alexandria ps.babel ps.trivial-gray-streams ]))
          ];
        };
      });
}
