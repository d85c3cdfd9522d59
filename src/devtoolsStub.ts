/**
 * Stands in for `react-devtools-core` in the single-file build: Ink imports it
 * only when DEV=true, and nettriage never ships the React devtools.
 */
export default {};
