// The client/server protocol beyond standard LSP, in one import. The files of this folder
// import nothing but vscode-languageserver-protocol and each other (test/unit/protocol.test.ts).
export * from './analysis';
export * from './settings';
export * from './stage1';
export * from './time';
export * from './wat';
export * from './rootCauses';
export * from './lastChange';
