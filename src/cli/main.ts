// Placeholder: the CLI lands with the scanner.
process.stdout.write('workspace-stats: not built yet\n');
