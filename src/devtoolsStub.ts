/**
 * Stands in for `react-devtools-core` and `ws` in the single-file build: Ink
 * imports them only when DEV=true, and nettriage never ships the React
 * devtools (they were 130 KB of every start).
 */
export default {};
