/** Forge resource: the nature field's view (UI Kit): its label in the viewer's language. */
import { renderView } from './_field';

renderView('nature');
