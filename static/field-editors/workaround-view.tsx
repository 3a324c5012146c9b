/** Forge resource: the workaround field's view (UI Kit): its label in the viewer's language. */
import { renderView } from './_field';

renderView('workaround');
