/** Download progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
export interface Progress {
  file(label: string, done: number, total: number): void;
  line(text: string): void;
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  let current = '';
  let started = 0;
  let startBytes = 0;
  let lastPrint = 0;
  return {
    file(label, done, total) {
      const now = Date.now();
      if (label !== current) {
        current = label;
        started = now;
        startBytes = done;
        lastPrint = 0;
      }
      const finished = done >= total;
      if (!finished && now - lastPrint < (tty ? 200 : 5000)) return;
      lastPrint = now;
      const rate = (done - startBytes) / Math.max(1, now - started);
      const eta = rate > 0 ? Math.ceil((total - done) / rate / 1000) : undefined;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      const text = `${label}: ${mb(done)}/${mb(total)} MB ${pct}%${finished ? '' : ` ETA ${eta === undefined ? '?' : `${eta}s`}`}`;
      stream.write(tty ? `\r\x1b[K${text}${finished ? '\n' : ''}` : `${text}\n`);
    },
    line(text) {
      stream.write(`${text}\n`);
    },
  };
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1);
}
