// Placeholder: the analysis worker lands with the scanner.
export {};
