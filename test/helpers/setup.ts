import { loadPanelViews } from '../../src/panels/views.js';
import { PANELS } from '../../src/registry.js';

// What the screen does before its first frame: tests that draw the dashboard draw it the same way.
await loadPanelViews(PANELS);
