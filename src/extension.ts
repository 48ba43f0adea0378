// Placeholder until the extension host lands (issue: "The extension in VS Code").
export function activate(): void {}

export function deactivate(): void {}
