/**
 * What `stepback --version` says beyond the package version. The npm package leaves this empty; the standalone
 * executable's build (scripts/build-binary.mjs) replaces this module with the commit it was built from, so a
 * downloaded binary names its source.
 */
export const EXECUTABLE_BUILD: { commit: string } | undefined = undefined;
