/** Forge resource: the workaround field's editor (UI Kit). */
import { renderEdit } from './_field';

renderEdit('workaround');
