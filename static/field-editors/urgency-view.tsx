/** Forge resource: the urgency field's view (UI Kit): its label in the viewer's language. */
import { renderView } from './_field';

renderView('urgency');
