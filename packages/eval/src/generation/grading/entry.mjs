// Worker-thread entry: the graders are TypeScript sources, so register the loader before importing them.
import { register } from 'tsx/esm/api';

register();
await import('./serve.ts');
