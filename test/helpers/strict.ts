/**
 * nettriage's own strict mode, switched on by `.ci/run` (NETTRIAGE_STRICT=1):
 * the real-world fixtures beside the project, root with network namespaces,
 * tracefs, tmux and promtool are then required, and a test that would skip
 * for want of one fails instead — a skip there would hide a broken machine.
 * Not the generic `CI` variable: a fork's or a contributor's pipeline sets
 * CI=true on a machine that has none of them.
 */
export const strict = process.env.NETTRIAGE_STRICT === '1';
