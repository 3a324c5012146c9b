/** Forge resource: the nature field's editor (UI Kit). */
import { renderEdit } from './_field';

renderEdit('nature');
