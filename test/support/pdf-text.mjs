// Prints the text of a PDF (pdfjs-dist, a dev dependency): pages separated by a form feed, each page's
// text items joined by a space. An ES module run as a child process (jest runs CommonJS).
// Usage: node test/support/pdf-text.mjs file.pdf
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, useSystemFonts: false, verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const content = await (await pdf.getPage(n)).getTextContent();
  pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
}
process.stdout.write(JSON.stringify({ pages }));
