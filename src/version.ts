/** The package version (a test keeps it equal to package.json's). Kept in code so nothing reads files at start-up. */
export const VERSION = '0.1.0';
