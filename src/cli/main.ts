// Placeholder until the runner work lands the real CLI.
console.error('stepback: not built yet');
process.exit(2);
