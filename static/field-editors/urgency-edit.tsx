/** Forge resource: the urgency field's editor (UI Kit). */
import { renderEdit } from './_field';

renderEdit('urgency');
