/** The text of every page of a PDF (pdfjs-dist in a child process: it is an ES module; see pdf-text.mjs). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function pdfText(pdf: Buffer): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-pdf-'));
  try {
    const file = path.join(dir, 'r.pdf');
    fs.writeFileSync(file, pdf);
    const out = execFileSync(process.execPath, [path.join(__dirname, 'pdf-text.mjs'), file], {
      encoding: 'utf8',
    });
    return (JSON.parse(out) as { pages: string[] }).pages.map((p) => p.replace(/\s+/g, ' '));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
